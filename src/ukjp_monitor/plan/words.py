"""The programme's words for dates, periods and counts, as readers see them.

Pure. English: ``H2 2026``, ``Q1 2027``, ``Sep 2026``, ``FY2026 (Apr 2026 –
Mar 2027)``, ``1 Oct 2026 – 31 Jan 2027``, ``Tue 1 Dec 2026``, ``3,812``.
Japanese (``words_for("ja")``): ``2026年下半期``, ``2027年第1四半期``,
``2026年9月``, ``2026年度（2026年4月～2027年3月）``, ``2026年12月1日（火）``,
``3,812``. Messages use these; the configuration and the database keep the
canonical spellings (``2026-H2``, ``2026-10-01..2027-01-31``). The module's
functions are the English words.
"""

from __future__ import annotations

import functools
import re
from datetime import date

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from ukjp_monitor.plan.periods import Period

#: The languages messages can be written in (DESIGN §14).
LANGUAGES = ("en", "ja")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_QUARTER_OR_HALF = re.compile(r"^(\d{4})-([QH])([1-4])$")
#: An en dash with spaces, as a range between dates is written.
DASH = " – "


class Words:
    """Dates, periods, counts and lists in English, as DESIGN §12 writes them."""

    language = "en"
    locale = "en_GB"
    dash = DASH
    tbc = "TBC"
    #: What stands between two sentences: a space; nothing in Japanese.
    sentence_gap = " "

    def count(self, n: int) -> str:
        """A whole number with thousands separators: ``3,812``."""
        return f"{n:,}"

    def day(self, d: date) -> str:
        """``1 Dec 2026``."""
        return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"

    def weekday(self, d: date) -> str:
        """``Tue 1 Dec 2026``."""
        return f"{_DAYS[d.weekday()]} {self.day(d)}"

    def month(self, d: date) -> str:
        """``Sep 2026``."""
        return f"{_MONTHS[d.month - 1]} {d.year}"

    def year(self, year: str) -> str:
        return year

    def quarter(self, year: str, kind: str, n: str) -> str:
        """``Q1 2027``, ``H2 2026``."""
        return f"{kind}{n} {year}"

    def fiscal_year(self, text: str, p: Period) -> str:
        """``FY2026 (Apr 2026 – Mar 2027)``."""
        return f"{text} ({self.month(p.start)}{self.dash}{self.month(p.end)})"

    def span(self, start: date, end: date) -> str:
        """``1 Oct 2026 – 31 Jan 2027``, or one day when they are the same."""
        return self.day(start) if start == end else self.day(start) + self.dash + self.day(end)

    def period(self, p: Period | None) -> str:
        """A target period in words; ``TBC`` when there is none."""
        if p is None:
            return self.tbc
        text = p.text
        if m := _QUARTER_OR_HALF.match(text):
            return self.quarter(m[1], m[2], m[3])
        if text.startswith("FY"):
            return self.fiscal_year(text, p)
        if len(text) == 7:  # YYYY-MM
            return self.month(p.start)
        if len(text) == 4:  # YYYY
            return self.year(text)
        return self.span(p.start, p.end)

    def week(self, iso_week: str) -> str:
        """An ISO week, ``2026-W49``, as readers read it."""
        return iso_week

    def days(self, n: int) -> str:
        """``1 day``, ``1,204 days``."""
        return f"{self.count(n)} {'day' if n == 1 else 'days'}"

    def listing(self, items: list[str], last: str = "and") -> str:
        """``A``, ``A and B``, ``A, B and C``; ``last="or"``: ``A, B or C``."""
        if not items:
            return ""
        if last == "or":
            return format_list(items, style="or", locale=self.locale)
        return format_list(items, style="standard", locale=self.locale)


#: A calendar quarter's months. Japanese readers whose year starts in April
#: (ministries, JST, most companies) read 第1四半期 or 上半期 alone as
#: fiscal (April to June, April to September): the months say which.
_QUARTER_MONTHS = {"1": "1～3月", "2": "4～6月", "3": "7～9月", "4": "10～12月"}


class JapaneseWords(Words):
    """The same in Japanese: ``2026年12月1日（火）`` (the weekday in full-width
    brackets, as formal Japanese writes it), ``2026年下半期（7～12月）``,
    ``2027年第1四半期（1～3月）``, ``2026年度``."""

    language = "ja"
    locale = "ja"
    dash = "～"
    tbc = "未定"
    sentence_gap = ""

    def count(self, n: int) -> str:
        return format_decimal(n, locale=self.locale)

    def day(self, d: date) -> str:
        return f"{d.year}年{d.month}月{d.day}日"

    def weekday(self, d: date) -> str:
        return format_date(d, "y年M月d日（E）", locale=self.locale)

    def month(self, d: date) -> str:
        return f"{d.year}年{d.month}月"

    def year(self, year: str) -> str:
        return f"{year}年"

    def quarter(self, year: str, kind: str, n: str) -> str:
        if kind == "H":
            half = "上半期（1～6月）" if n == "1" else "下半期（7～12月）"
            return f"{year}年{half}"
        return f"{year}年第{n}四半期（{_QUARTER_MONTHS[n]}）"

    def fiscal_year(self, text: str, p: Period) -> str:
        # Japan's fiscal year runs April to March, as the programme's FY does.
        return f"{text[2:]}年度（{self.month(p.start)}{self.dash}{self.month(p.end)}）"

    def week(self, iso_week: str) -> str:
        year, week = iso_week.split("-W")
        return f"{year}年第{int(week)}週"

    def days(self, n: int) -> str:
        return f"{self.count(n)}日"


@functools.cache
def words_for(language: str) -> Words:
    """The words of ``language`` (one of ``LANGUAGES``)."""
    if language not in LANGUAGES:
        raise ValueError(f"no words for {language!r}; languages: {', '.join(LANGUAGES)}")
    return JapaneseWords() if language == "ja" else Words()


ENGLISH = words_for("en")
count = ENGLISH.count
day = ENGLISH.day
weekday = ENGLISH.weekday
month = ENGLISH.month
span = ENGLISH.span
period = ENGLISH.period
days = ENGLISH.days
listing = ENGLISH.listing


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 milestone``, ``3,812 milestones``."""
    return f"{count(n)} {noun if n == 1 else plural or noun + 's'}"
