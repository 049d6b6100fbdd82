"""The language of an article, so that English dictionaries score only English text.

Detection uses lingua (``lingua-language-detector``): its n-gram models ship inside the wheel, so it
works offline and downloads nothing.  It tells Azerbaijani from Turkish and Persian from Arabic, which
matters for the Iran-Azerbaijan coverage diplo is built for.  Only the languages in
:data:`DETECTED_LANGUAGES` are considered (a smaller set is faster and more accurate); text in another
language is reported as the closest of them with a low confidence.

Every dictionary diplo ships (VADER, the AFINN lexicon, the diplomatic lexicon, themes, actors) is
English: :data:`SCORED_LANGUAGES` lists the languages they apply to, and the pipeline leaves the scores of
other articles missing (NaN), not 0, so they drop out of every mean.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Iterable, Sequence

__all__ = ["DETECTED_LANGUAGES", "SCORED_LANGUAGES", "DETECT_CHARS", "ENGLISH_WORDS", "ENGLISH_WORD_SHARE", "LanguageGuess", "LanguageDetector",
           "default_detector", "detect_language", "parse_languages"]

#: ISO 639-1 codes of the languages the detector chooses among: English, the languages of the region's
#: press (Russian, Persian, Arabic, Azerbaijani, Turkish, Armenian, Georgian, Kazakh, Ukrainian, Urdu) and
#: the large European and Asian ones that crawls pick up (French, German, Spanish, Italian, Chinese).
DETECTED_LANGUAGES = ("en", "ru", "fa", "ar", "az", "tr", "hy", "ka", "kk", "uk", "ur", "fr", "de", "es", "it",
                      "zh")
#: Languages the packaged dictionaries are written for (all English).
SCORED_LANGUAGES = ("en",)
#: Words so frequent in English prose, and absent from the other detected Latin-script languages' prose,
#: that a text with :data:`ENGLISH_WORD_SHARE` of its words among them is English whatever the n-gram
#: models say (short English news full of foreign names can look French to them).
ENGLISH_WORDS = frozenset("the of and to in is was has have for that with by said from an are were this which "
                          "its been will would".split())
ENGLISH_WORD_SHARE = 0.2
_WORDS = re.compile(r"[^\W\d_]+")
#: Characters of an article's clean text the detector reads (the start of an article is enough to tell
#: its language, and detection time grows with length).
DETECT_CHARS = 2_000


@dataclass(frozen=True)
class LanguageGuess:
    """A detected language: ISO 639-1 ``code`` (empty when undetermined) and its ``confidence`` (0..1)."""

    code: str
    confidence: float


def parse_languages(spec: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Language codes from ``"en,fa"`` or a list, checked against :data:`DETECTED_LANGUAGES`.

    Returns None for None or an empty string (no filter).

    Raises
    ------
    ValueError
        For a code the detector does not know (the message lists the valid ones).

    Examples
    --------
    >>> parse_languages("en, FA")
    ('en', 'fa')
    """
    if spec is None or spec == "":
        return None
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    codes = tuple(dict.fromkeys(str(c).strip().lower() for c in items if str(c).strip()))
    unknown = [c for c in codes if c not in DETECTED_LANGUAGES]
    if unknown or not codes:
        raise ValueError(f"unknown language code(s) {unknown or [spec]}; valid ISO 639-1 codes: "
                         f"{', '.join(DETECTED_LANGUAGES)}")
    return codes


class LanguageDetector:
    """A lingua detector restricted to ``languages`` (ISO 639-1 codes), built on first use.

    Parameters
    ----------
    languages : codes to choose among; default :data:`DETECTED_LANGUAGES`.
    min_confidence : a best guess below this confidence is reported as undetermined (code ``""``).

    A text the models take for another language but whose words are at least :data:`ENGLISH_WORD_SHARE`
    English function words (:data:`ENGLISH_WORDS`) is English, with the models' (low) confidence for it.
    """

    def __init__(self, languages: Sequence[str] = DETECTED_LANGUAGES, *, min_confidence: float = 0.0) -> None:
        self.languages = parse_languages(list(languages)) or DETECTED_LANGUAGES
        self.min_confidence = float(min_confidence)
        self._detector = None
        self._lock = threading.Lock()

    def _build(self):
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        wanted = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in self.languages]
        if len(wanted) == 1:  # lingua needs two languages to choose between
            wanted.append(Language.ENGLISH if wanted[0] != Language.ENGLISH else Language.FRENCH)
        return LanguageDetectorBuilder.from_languages(*wanted).build()

    def detect(self, text: str) -> LanguageGuess:
        """The language of ``text`` (its first :data:`DETECT_CHARS` characters)."""
        if self._detector is None:
            with self._lock:
                if self._detector is None:
                    self._detector = self._build()
        sample = text[:DETECT_CHARS]
        if not any(ch.isalpha() for ch in sample):
            return LanguageGuess("", 0.0)
        values = self._detector.compute_language_confidence_values(sample)
        if not values:
            return LanguageGuess("", 0.0)
        best = values[0]
        if best.language.iso_code_639_1.name.lower() != "en" and "en" in self.languages:
            words = _WORDS.findall(sample.lower())
            if words and sum(w in ENGLISH_WORDS for w in words) >= ENGLISH_WORD_SHARE * len(words):
                # the detector's own value for English is kept: a low one flags the overruled guess
                best = next(v for v in values if v.language.iso_code_639_1.name.lower() == "en")
        confidence = round(float(best.value), 4)
        if confidence < self.min_confidence:
            return LanguageGuess("", confidence)
        return LanguageGuess(best.language.iso_code_639_1.name.lower(), confidence)

    def detect_many(self, texts: Iterable[str]) -> list[LanguageGuess]:
        """:meth:`detect` of every text."""
        return [self.detect(t if isinstance(t, str) else "") for t in texts]


_DEFAULT: LanguageDetector | None = None


def default_detector() -> LanguageDetector:
    """The process-wide detector over :data:`DETECTED_LANGUAGES` (its models load once, on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = LanguageDetector()
    return _DEFAULT


def detect_language(text: str) -> LanguageGuess:
    """The language of ``text`` with the default detector.

    Examples
    --------
    >>> detect_language("Azərbaycan Respublikasının Prezidenti İlham Əliyev İranın nazirini qəbul edib.").code
    'az'
    """
    return default_detector().detect(text)
