"""Publication dates from printed dates, URLs and file names, with an explicit configuration.

A printed date is read with :class:`DateConfig`: the order of day, month and year for all-numeric dates
(``--date-order``, default ``DMY``: ``07.12.2023`` is 7 December 2023, as printed in Iran, Azerbaijan,
Russia, Turkey and most of Europe; pass ``MDY`` for US sources) and the languages whose month names are
tried (default :data:`DATE_LANGUAGES`).  Rules:

- ISO ``2023-12-07`` (also with a time) and English "December 7, 2023" / "7 December 2023" are read
  directly; anything else goes to dateparser with ``STRICT_PARSING`` (day, month and year required), the
  configured ``DATE_ORDER`` and languages: ``7 декабря 2023`` and ``7 Aralık 2023`` are 2023-12-07.
- Solar Hijri (Jalali) dates, recognised by Persian digits (``۱۴۰۲/۰۹/۱۶``) or a Persian month name
  (``۱۶ آذر ۱۴۰۲``), are converted to Gregorian with jdatetime (2023-12-07).  A date with Arabic-Indic
  digits and a year before 1900 (lunar or solar Hijri?) is rejected as ambiguous.
- A year outside 1900..next year is rejected: :func:`read_date` says why, so the caller can warn naming
  the file.

:func:`date_from_url` reads ``/2023/12/07/``, ``/2023-12-07/`` and ``/20231207/`` in a URL path;
:func:`date_from_filename` reads an ISO date or ``YYYYMMDD`` in a file name.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["DATE_ORDERS", "DEFAULT_DATE_ORDER", "DATE_LANGUAGES", "DateConfig", "read_date", "date_from_url",
           "date_from_filename", "year_range"]

DATE_ORDERS = ("DMY", "MDY", "YMD")
#: Day first: the order of the region's press and of most of the world outside the US.
DEFAULT_DATE_ORDER = "DMY"
#: Languages whose month names dateparser tries, in this order.
DATE_LANGUAGES = ("en", "ru", "fa", "ar", "az", "tr", "fr", "de", "es", "uk")


@dataclass(frozen=True)
class DateConfig:
    """How printed dates are read: ``order`` of all-numeric dates and the ``languages`` to try."""

    order: Literal["DMY", "MDY", "YMD"] = DEFAULT_DATE_ORDER
    languages: tuple[str, ...] = DATE_LANGUAGES

    def __post_init__(self) -> None:
        if self.order not in DATE_ORDERS:
            raise ValueError(f"unknown date order {self.order!r}; valid: {', '.join(DATE_ORDERS)}")
        object.__setattr__(self, "languages", tuple(self.languages))


def year_range() -> tuple[int, int]:
    """The years a publication date may have: 1900 to next year."""
    return 1900, datetime.date.today().year + 1


_MONTH_NUM = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")
_MDY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_DMY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$")
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, "0123456789" * 2)
_JALALI_MONTHS = {name: i for i, name in enumerate(
    ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"],
    start=1)}
_JALALI_NUMERIC = re.compile(r"^(\d{4})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})$")
_JALALI_WORDS = re.compile(r"^(?:\S+\s+)?(\d{1,2})\s+(" + "|".join(_JALALI_MONTHS) + r")\s+(\d{4})")
_NUMERIC = re.compile(r"^\d{1,4}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{1,4}$")


def _checked(year: int, month: int, day: int) -> tuple[str | None, str]:
    low, high = year_range()
    if not low <= year <= high:
        return None, f"year {year} outside {low}..{high}"
    try:
        return datetime.date(year, month, day).isoformat(), ""
    except ValueError:
        return None, f"no such day {year}-{month:02d}-{day:02d}"


def _jalali(year: int, month: int, day: int, value: str) -> tuple[str | None, str]:
    import jdatetime

    try:
        gregorian = jdatetime.date(year, month, day).togregorian()
    except ValueError:
        return None, f"{value!r} is not a valid Solar Hijri date"
    return _checked(gregorian.year, gregorian.month, gregorian.day)


@functools.lru_cache(maxsize=65536)
def read_date(value: str, config: DateConfig = DateConfig()) -> tuple[str | None, str]:
    """``(ISO date, "")`` for a complete printed date, else ``(None, why)`` (``why`` empty: not a date).

    Examples
    --------
    >>> read_date("07.12.2023"), read_date("07.12.2023", DateConfig(order="MDY"))
    (('2023-12-07', ''), ('2023-07-12', ''))
    >>> read_date("۱۴۰۲/۰۹/۱۶")
    ('2023-12-07', '')
    >>> read_date("1402/09/16")[1].startswith("year 1402 outside 1900..")
    True
    """
    value = value.strip()
    if not value:
        return None, ""
    persian = any(c in _PERSIAN_DIGITS for c in value)
    arabic = any(c in _ARABIC_DIGITS for c in value)
    ascii_value = value.translate(_TO_ASCII)
    if m := _JALALI_WORDS.match(ascii_value):
        return _jalali(int(m[3]), _JALALI_MONTHS[m[2]], int(m[1]), value)
    if (persian or arabic) and (m := _JALALI_NUMERIC.match(ascii_value)):
        if int(m[1]) < 1900:
            if arabic and not persian:
                return None, f"{value!r}: Hijri date, lunar or solar calendar ambiguous"
            return _jalali(int(m[1]), int(m[2]), int(m[3]), value)
    try:
        if m := _ISO.match(ascii_value):
            return _checked(int(m[1]), int(m[2]), int(m[3]))
        if m := _MDY.match(ascii_value):
            month = _MONTH_NUM.get(m[1][:3].lower())
            if month:
                return _checked(int(m[3]), month, int(m[2]))
        if m := _DMY.match(ascii_value):
            month = _MONTH_NUM.get(m[2][:3].lower())
            if month:
                return _checked(int(m[3]), month, int(m[1]))
    except ValueError:
        return None, ""
    if _NUMERIC.match(ascii_value):
        a, b, c = (int(p) for p in re.split(r"\s*[/.-]\s*", ascii_value))
        if a >= 1000:  # a year in front is always year/month/day
            return _checked(a, b, c)
        if c < 1000:  # two-digit years are not read: 07.12.23 could be 1923 or 2023
            return None, ""
        return _checked(c, a, b) if config.order == "MDY" else _checked(c, b, a)
    import dateparser

    parsed = dateparser.parse(ascii_value, languages=list(config.languages),
                              settings={"STRICT_PARSING": True, "DATE_ORDER": config.order,
                                        "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_LOCALE_DATE_ORDER": False})
    if parsed is None:
        return None, ""
    return _checked(parsed.year, parsed.month, parsed.day)


_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?=/|$|[?#])"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})(?=/|$|[?#_.-])"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?=/|$|[?#_.-])"),
)
_FILE_DATES = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"),
)


def _first_valid(patterns, text: str) -> str | None:
    for pattern in patterns:
        for m in pattern.finditer(text):
            date, _ = _checked(int(m[1]), int(m[2]), int(m[3]))
            if date:
                return date
    return None


def date_from_url(url: str) -> str | None:
    """A date in a URL's path (``/2023/12/07/``, ``/2023-12-07/``, ``/20231207/``), or None.

    Examples
    --------
    >>> date_from_url("https://www.tehrantimes.com/news/2023/12/07/iran-azerbaijan")
    '2023-12-07'
    """
    from urllib.parse import urlsplit

    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    return _first_valid(_URL_DATES, path) if path else None


def date_from_filename(name: str) -> str | None:
    """An ISO date or ``YYYYMMDD`` (exactly eight digits) in a file name (its last path part), or None.

    Examples
    --------
    >>> date_from_filename("crawl/tehrantimes_20231207_0412.txt"), date_from_filename("_news_101037_x.txt")
    ('2023-12-07', None)
    """
    return _first_valid(_FILE_DATES, name.rsplit("/", 1)[-1])
