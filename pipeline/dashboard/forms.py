"""The period chooser (a GET form read by hand: it changes nothing) and the annual-target form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from pipeline.domain.periods import (
    Period,
    PeriodError,
    month_period,
    parse_period,
    period_containing,
    previous_period,
    range_period,
    recent_months,
    year_period,
)
from pipeline.i18n import error_text, period_label


@dataclass(frozen=True)
class PeriodChoice:
    key: str
    label: str


def read_period(args: Mapping[str, str], today: date) -> tuple[Period, str | None]:
    """The period asked for (period=2026-10 | 2026-Q3 | 2026, or from/to dates), else this month and a message."""
    try:
        if args.get("from") or args.get("to"):
            return range_period(_date(args.get("from")), _date(args.get("to"))), None
        if args.get("period"):
            return parse_period(args["period"]), None
    except PeriodError as exc:
        return month_period(today.year, today.month), error_text(exc)
    return month_period(today.year, today.month), None


def period_choices(today: date, current: Period) -> list[PeriodChoice]:
    """The last 12 months, this and the last 3 quarters, this and the last 2 years; the chosen one always listed."""
    quarter = period_containing(today, "quarter")
    quarters = [quarter]
    for _step in range(3):
        quarters.append(previous_period(quarters[-1]))
    periods = recent_months(today, 12) + quarters + [year_period(today.year - n) for n in range(3)]
    if current.key not in {period.key for period in periods}:
        periods.insert(0, current)
    return [PeriodChoice(period.key, period_label(period)) for period in periods]


def _date(value: str | None) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise PeriodError(_("请输入有效的开始和结束日期（YYYY-MM-DD）。")) from None
