"""A synthetic news corpus in the language of the sample articles, for benchmarks.

Sentences are recombined from clauses of the sample corpus's sentences (first clause of one, later clauses
of others), with people, places, numbers, months and years substituted, so that almost every sentence is
distinct (as in real news) and no cache of earlier results can stand in for scoring.  Articles have the
length distribution of wire stories (15-40 sentences in paragraphs of 1-3) and a title and date line.

    python benchmarks/corpus.py 1000 /tmp/corpus     # write 1,000 articles as .txt files
"""

from __future__ import annotations

import calendar
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_FIRST = ["Hossein", "Ilham", "Jeyhun", "Ebrahim", "Masoud", "Abbas", "Nikol", "Sergey", "Hakan", "Ali",
          "Mohammad", "Elmar", "Ararat", "Kazem", "Leyla", "Hikmet", "Mehdi", "Nasser", "Rashad", "Samira",
          "Farid", "Zohrab", "Anar", "Gulnara", "Reza", "Parviz", "Tural", "Aysel", "Majid", "Kamran"]
_LAST = ["Amir-Abdollahian", "Aliyev", "Bayramov", "Raisi", "Pezeshkian", "Araghchi", "Pashinyan", "Lavrov",
         "Fidan", "Qalibaf", "Mammadyarov", "Mirzoyan", "Gharibabadi", "Hajiyev", "Kanaani", "Rezaei",
         "Hasanov", "Safarov", "Jafarov", "Karimi", "Mousavi", "Huseynov", "Ahmadi", "Mahmudov", "Rahimi",
         "Babayev", "Nazarov", "Sadeghi", "Guliyev", "Abbasov", "Tehrani", "Rostami", "Ismayilov", "Zarif"]
_PLACES = ["Tehran", "Baku", "Yerevan", "Moscow", "Ankara", "Tabriz", "Ganja", "Astara", "Julfa", "Nakhchivan",
           "Shusha", "Lankaran", "Ardabil", "Sumgait", "Mashhad", "Isfahan", "Tbilisi", "Istanbul", "Doha",
           "Geneva", "Vienna", "Brussels", "Beijing", "New Delhi", "Ashgabat", "Astana", "Tashkent", "Minsk",
           "Aghdam", "Fuzuli", "Khankendi", "Zangilan", "Qazvin", "Rasht", "Bandar Abbas", "Urmia", "Shamakhi"]
_SUBSTITUTE = re.compile(
    r"\b(?:(?P<full>Hossein Amir-Abdollahian|Ilham Aliyev|Ebrahim Raisi|Jeyhun Bayramov|Mohammad Baqer Qalibaf)"
    r"|(?P<last>Amir-Abdollahian|Amir Abdollahian|Aliyev|Raisi|Bayramov|Qalibaf|Pezeshkian|Araghchi|Pashinyan|"
    r"Putin|Erdogan)"
    r"|(?P<place>Tehran|Baku|Yerevan|Moscow|Ankara|Tabriz|Nakhchivan|Astara|Julfa|Karabakh)"
    r"|(?P<month>" + "|".join(calendar.month_name[1:]) + r")"
    r"|(?P<year>19[5-9]\d|20[0-3]\d)"
    r"|(?P<number>\d+(?:,\d{3})*(?:\.\d+)?))\b")
_CLAUSE = re.compile(r",\s+")


@dataclass(frozen=True)
class Article:
    doc_id: str
    title: str
    date: str
    paragraphs: list[list[str]]

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]

    def text(self) -> str:
        day = f"{calendar.month_name[int(self.date[5:7])]} {int(self.date[8:10])}, {self.date[:4]}"
        body = "\n\n".join(" ".join(p) for p in self.paragraphs)
        return f"{self.title}\nPublished: {day}\n\n{body}\n"


def seed_sentences(raw_dir: Path = ROOT / "data" / "raw") -> list[str]:
    """Sentences of the sample corpus, as diplo segments them."""
    from diplo.text.corpus import build_corpus
    from diplo.io.raw import load_documents

    return build_corpus(load_documents(raw_dir, []))["sentences"]["text"].tolist()


class CorpusGenerator:
    """Recombines clauses of ``sentences`` into new, distinct sentences and articles (seeded)."""

    def __init__(self, sentences: list[str], *, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        clauses = [_CLAUSE.split(s.rstrip(".")) for s in sentences if len(s) > 30]
        self.heads = [c[0] for c in clauses]
        self.tails = [t for c in clauses for t in c[1:]] or self.heads
        self.singles = [s.rstrip(".") for s in sentences if len(s) > 30]
        self.seen: set[str] = set()
        self.n_repeats = 0
        self._doc = 0

    def _replace(self, m: re.Match) -> str:
        rng, kind = self.rng, m.lastgroup
        if kind == "full":
            return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if kind == "last":
            return rng.choice(_LAST)
        if kind == "place":
            return rng.choice(_PLACES)
        if kind == "month":
            return calendar.month_name[rng.randint(1, 12)]
        if kind == "year":
            return str(rng.randint(1991, 2025))
        return str(rng.randint(2, 10 ** min(len(m[0]), 5)))

    def _substitute(self, text: str) -> str:
        return _SUBSTITUTE.sub(self._replace, text)

    def sentence(self) -> str:
        rng = self.rng
        for _ in range(20):
            if rng.random() < 0.25:
                base = rng.choice(self.singles)
            else:
                parts = [rng.choice(self.heads)] + rng.sample(self.tails, rng.choice((1, 1, 2)))
                base = ", ".join(parts)
            text = self._substitute(base)
            text = text[0].upper() + text[1:] + "."
            if text not in self.seen:
                break
            self.n_repeats += 1
        self.seen.add(text)
        return text

    def article(self) -> Article:
        rng = self.rng
        n = rng.randint(15, 40)
        paragraphs, left = [], n
        while left:
            k = min(left, rng.choice((1, 2, 2, 3)))
            paragraphs.append([self.sentence() for _ in range(k)])
            left -= k
        title = self._substitute(rng.choice(self.heads)).strip().rstrip(",")
        date = f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        self._doc += 1
        return Article(f"bench_{self._doc:07d}", title[:1].upper() + title[1:120], date, paragraphs)


def generate_articles(n: int, *, seed: int = 0, sentences: list[str] | None = None) -> list[Article]:
    """``n`` synthetic articles (deterministic for a given seed)."""
    gen = CorpusGenerator(sentences if sentences is not None else seed_sentences(), seed=seed)
    return [gen.article() for _ in range(n)]


def write_corpus(articles: list[Article], folder: Path) -> Path:
    """Write articles as ``<doc_id>.txt`` files into ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    for a in articles:
        (folder / f"{a.doc_id}.txt").write_text(a.text(), encoding="utf-8")
    return folder


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python benchmarks/corpus.py N_ARTICLES FOLDER")
    write_corpus(generate_articles(int(sys.argv[1])), Path(sys.argv[2]))
