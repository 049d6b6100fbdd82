"""diplo.text.language: the detector tells the region's languages apart, offline."""

from __future__ import annotations

import pytest

from diplo.text.language import DETECTED_LANGUAGES, LanguageDetector, detect_language, parse_languages

# one real-shaped news sentence per language; az/tr and fa/ar are the pairs a detector must not confuse
SAMPLES = {
    "en": "The foreign ministers of Iran and Azerbaijan met in Baku on Thursday to discuss the transport corridor.",
    "ru": "Министры иностранных дел Ирана и Азербайджана встретились в Баку 7 декабря 2023 года и обсудили "
          "транспортный коридор.",
    "fa": "وزیران امور خارجه ایران و جمهوری آذربایجان روز پنجشنبه در باکو دیدار کردند و درباره کریدور "
          "حمل‌ونقل گفت‌وگو کردند.",
    "ar": "التقى وزيرا خارجية إيران وأذربيجان في باكو يوم الخميس لمناقشة ممر النقل بين البلدين.",
    "az": "İran və Azərbaycanın xarici işlər nazirləri cümə axşamı Bakıda görüşərək nəqliyyat dəhlizini "
          "müzakirə ediblər.",
    "tr": "İran ve Azerbaycan dışişleri bakanları perşembe günü Bakü'de bir araya gelerek ulaştırma "
          "koridorunu görüştü.",
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_detects_the_regions_languages(code):
    guess = detect_language(SAMPLES[code])
    assert guess.code == code and guess.confidence > 0.5


@pytest.mark.parametrize("text", ["", "   ", "2023-12-07 12:00", "***"])
def test_text_without_letters_is_undetermined(text):
    assert detect_language(text).code == ""


def test_a_restricted_detector_chooses_only_among_its_languages():
    detector = LanguageDetector(["en", "ru"])
    assert detector.detect(SAMPLES["ru"]).code == "ru"
    assert detector.detect(SAMPLES["en"]).code == "en"


@pytest.mark.parametrize("spec, expected", [
    ("en", ("en",)), ("en, FA,en", ("en", "fa")), (["az", "tr"], ("az", "tr")), (None, None), ("", None),
])
def test_parse_languages(spec, expected):
    assert parse_languages(spec) == expected


@pytest.mark.parametrize("spec", ["english", "en,xx", ","])
def test_parse_languages_names_the_valid_codes(spec):
    with pytest.raises(ValueError, match="valid ISO 639-1 codes: " + ", ".join(DETECTED_LANGUAGES[:3])):
        parse_languages(spec)


def test_english_news_full_of_names_stays_english():
    # from the real Tehran Times crawl: the n-gram models alone call this French (0.98)
    text = ("TEHRAN - Sheikh Ahmad al-Tayyib, the imam of Al-Azhar Mosque in Cairo, has called on Iran, Egypt, "
            "and Turkey to establish an Islamic triangle, Iranian MP Nasser Soudani has said.")
    assert detect_language(text).code == "en"
