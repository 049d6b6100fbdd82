"""diplo.text.dates: printed dates under an explicit order and languages, Solar Hijri, URLs and file names."""

from __future__ import annotations

import datetime

import pytest

from diplo.text.dates import DateConfig, date_from_filename, date_from_url, read_date

NEXT_YEAR = datetime.date.today().year + 1


@pytest.mark.parametrize("value, order, expected", [
    ("07.12.2023", "DMY", "2023-12-07"),     # day first: never silently July 12
    ("07.12.2023", "MDY", "2023-07-12"),     # only when asked for
    ("12/07/2023", "DMY", "2023-07-12"),
    ("2023/12/07", "MDY", "2023-12-07"),     # a year in front is year/month/day under any order
    ("2023-12-07T10:00:00Z", "DMY", "2023-12-07"),
    ("December 7, 2023", "DMY", "2023-12-07"),
    ("7 декабря 2023", "DMY", "2023-12-07"),
    ("7 Aralık 2023", "DMY", "2023-12-07"),
    ("7 dekabr 2023", "DMY", "2023-12-07"),
    ("۱۴۰۲/۰۹/۱۶", "DMY", "2023-12-07"),     # Solar Hijri, Persian digits
    ("۱۶ آذر ۱۴۰۲", "DMY", "2023-12-07"),     # Solar Hijri, month name
    ("پنجشنبه ۱۶ آذر ۱۴۰۲", "MDY", "2023-12-07"),
    ("07.12.23", "DMY", None),               # two-digit year: not read
    ("July 2023", "DMY", None),              # no day
    ("not a date", "DMY", None),
])
def test_read_date(value, order, expected):
    assert read_date(value, DateConfig(order=order))[0] == expected


@pytest.mark.parametrize("value, why", [
    ("1402/09/16", "year 1402 outside 1900.."),          # ASCII digits: not taken for Solar Hijri
    ("١٤٤٥/٠٥/٢٣", "lunar or solar calendar ambiguous"),  # Arabic-Indic: Hijri, but which?
    ("1850-01-01", "year 1850 outside 1900.."),
    (f"01.01.{NEXT_YEAR + 1}", f"year {NEXT_YEAR + 1} outside 1900..{NEXT_YEAR}"),
    ("2023-02-30", "no such day 2023-02-30"),
])
def test_refused_dates_say_why(value, why):
    date, reason = read_date(value)
    assert date is None and why in reason


def test_unknown_date_order_names_the_valid_ones():
    with pytest.raises(ValueError, match="valid: DMY, MDY, YMD"):
        DateConfig(order="DDMMYY")


@pytest.mark.parametrize("url, expected", [
    ("https://www.tehrantimes.com/news/2023/12/07/iran-azerbaijan-talks", "2023-12-07"),
    ("https://example.org/2023-12-07/story.html", "2023-12-07"),
    ("https://example.org/archive/20231207/story", "2023-12-07"),
    ("https://en.mehrnews.com/news/208452/Iran-Azerbaijan", None),   # an article id, not a date
    ("https://example.org/2023/13/45/x", None),
    ("not a url", None),
])
def test_date_from_url(url, expected):
    assert date_from_url(url) == expected


@pytest.mark.parametrize("name, expected", [
    ("tehrantimes_2023-12-07.txt", "2023-12-07"),
    ("crawl/2021/irna_20211223_0930.html", "2021-12-23"),
    ("_news_101037_Austria-s-Far-Right.txt", None),
    ("export_123456789.csv", None),      # nine digits: not YYYYMMDD
    ("tehrantimes_20231307.txt", None),  # month 13
])
def test_date_from_filename(name, expected):
    assert date_from_filename(name) == expected
