"""Reporting periods in the bureau's calendar (months, quarters, years, date ranges) and progress through a year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from pipeline.domain.text import M_, N_

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_RANGE_DAYS = 366 * 10


class PeriodError(ValueError):
    """A period that cannot be read; its argument is a translatable Msg shown to the user (str() is Chinese)."""


@dataclass(frozen=True)
class Period:
    """A run of whole local days, first and last included."""

    kind: str  # 'month' | 'quarter' | 'year' | 'range'
    first: date
    last: date

    @property
    def key(self) -> str:
        """The text parse_period() reads back: 2026-10, 2026-Q3, 2026 or 2026-01-05..2026-02-10."""
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self) -> str:
        """Chinese label: 2026年10月, 2026年第3季度, 2026年, 2026-01-05 至 2026-02-10."""
        if self.kind == "month":
            return f"{self.first.year}年{self.first.month}月"
        if self.kind == "quarter":
            return f"{self.first.year}年第{(self.first.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.first.year}年"
        return f"{self.first.isoformat()} 至 {self.last.isoformat()}"

    @property
    def end(self) -> date:
        """The first day after the period."""
        return self.last + timedelta(days=1)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Start (inclusive) and end (exclusive) as aware UTC times: local midnights of the bureau's zone."""
        return local_midnight(self.first, zone), local_midnight(self.end, zone)


PERIOD_KIND_LABELS = {"month": N_("月"), "quarter": N_("季度"), "year": N_("年"), "range": N_("自定义")}


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which a local day begins."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def month_period(year: int, month: int) -> Period:
    _check_year(year)
    if not 1 <= month <= 12:
        raise PeriodError(M_("月份应在 1 到 12 之间。"))
    first = date(year, month, 1)
    return Period("month", first, _next_month(first) - timedelta(days=1))


def quarter_period(year: int, quarter: int) -> Period:
    _check_year(year)
    if not 1 <= quarter <= 4:
        raise PeriodError(M_("季度应在 1 到 4 之间。"))
    first = date(year, 3 * quarter - 2, 1)
    return Period("quarter", first, _next_month(_next_month(_next_month(first))) - timedelta(days=1))


def year_period(year: int) -> Period:
    _check_year(year)
    return Period("year", date(year, 1, 1), date(year, 12, 31))


def range_period(first: date, last: date) -> Period:
    _check_year(first.year)
    _check_year(last.year)
    if last < first:
        raise PeriodError(M_("结束日期不能早于开始日期。"))
    if (last - first).days > MAX_RANGE_DAYS:
        raise PeriodError(M_("时间段不能超过十年。"))
    return Period("range", first, last)


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str) -> Period:
    """Read 2026-10, 2026-Q3, 2026 or 2026-01-05..2026-02-10; anything else is a PeriodError."""
    text = (text or "").strip()
    if match := _MONTH.match(text):
        return month_period(int(match[1]), int(match[2]))
    if match := _QUARTER.match(text):
        return quarter_period(int(match[1]), int(match[2]))
    if match := _YEAR.match(text):
        return year_period(int(match[1]))
    if match := _RANGE.match(text):
        return range_period(_parse_date(match[1]), _parse_date(match[2]))
    raise PeriodError(M_("无法识别的时间段，请使用 2026-10、2026-Q3、2026 或 2026-01-05..2026-02-10 的格式。"))


def parse_month(text: str) -> Period:
    """Read a calendar month written YYYY-MM."""
    match = _MONTH.match((text or "").strip())
    if not match:
        raise PeriodError(M_("月份格式应为 YYYY-MM，例如 2026-10。"))
    return month_period(int(match[1]), int(match[2]))


def previous_period(period: Period) -> Period:
    """The period of the same kind and length just before this one."""
    if period.kind == "month":
        before = period.first - timedelta(days=1)
        return month_period(before.year, before.month)
    if period.kind == "quarter":
        before = period.first - timedelta(days=1)
        return quarter_period(before.year, (before.month - 1) // 3 + 1)
    if period.kind == "year":
        return year_period(period.first.year - 1)
    length = period.end - period.first
    return range_period(period.first - length, period.first - timedelta(days=1))


def period_containing(day: date, kind: str) -> Period:
    if kind == "quarter":
        return quarter_period(day.year, (day.month - 1) // 3 + 1)
    if kind == "year":
        return year_period(day.year)
    return month_period(day.year, day.month)


def recent_months(today: date, count: int) -> list[Period]:
    """This month and the count-1 months before it, newest first."""
    months = [month_period(today.year, today.month)]
    while len(months) < count:
        months.append(previous_period(months[-1]))
    return months


def year_progress(through: date) -> Fraction:
    """Share of through's calendar year that is gone at the end of the day `through`."""
    first = date(through.year, 1, 1)
    days_in_year = (date(through.year + 1, 1, 1) - first).days
    return Fraction((through - first).days + 1, days_in_year)


def project_year_end(actual: int, progress: Fraction) -> int | None:
    """Linear projection of a year's count from the share of the year gone (rounded half up); None at the start."""
    if progress <= 0:
        return None
    if progress >= 1:
        return actual
    projected = Fraction(actual) / progress
    return int(projected + Fraction(1, 2))


def share(part: int, whole: int | None) -> Fraction | None:
    """part / whole as an exact fraction; None when there is nothing to divide by."""
    if not whole:
        return None
    return Fraction(part, whole)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(M_("年份应在 %(first)s 到 %(last)s 之间。", first=MIN_YEAR, last=MAX_YEAR))


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(M_("无效日期：%(text)s", text=text)) from None


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the month's last day (31 Aug + 6 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first = date(year, month + 1, 1)
    last = _next_month(first) - timedelta(days=1)
    return first.replace(day=min(day.day, last.day))
