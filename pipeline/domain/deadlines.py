"""Pure date arithmetic for statuses and filings: expiry dates and annual deadlines."""

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

HNTE_VALID_YEARS = 3
# A 科小 registration ends on 31 December and the firm is evaluated again next year: from October it prepares.
TECH_SME_RENEWAL_DAYS = 92
_TECH_SME_NUMBER = re.compile(r"\s*(\d{4})")


def add_years(d: date, years: int) -> date:
    """Return the same calendar date `years` later (or earlier); 29 Feb becomes 28 Feb in a common year."""
    year = d.year + years
    if d.month == 2 and d.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return d.replace(year=year)


def hnte_expiry(issue_date: date) -> date:
    """Return the 有效期至 date of a 高企 certificate: the issue date plus three years."""
    return add_years(issue_date, HNTE_VALID_YEARS)


def tech_sme_expiry(number: str) -> date:
    """Return 31 December of the year a 科小 入库登记编号 starts with (valid that calendar year only)."""
    match = _TECH_SME_NUMBER.match(number or "")
    if not match:
        raise ValueError(f"入库登记编号应以四位年份开头：{number!r}")
    return date(int(match.group(1)), 12, 31)


def annual_report_due(year: int) -> date:
    """Return the due date of the 高企 annual development report filed in `year` (31 May)."""
    return date(year, 5, 31)


def renewal_opens(track_code: str, expires_on: date) -> date:
    """Return the day from which a firm holding a status prepares to apply again.

    A 高企 must apply again in its expiry year (no renewal: 国科发火〔2016〕32号), so from 1 January of that year; a
    科小 registration is valid for its calendar year only, so from the last quarter.
    """
    if track_code == "hnte":
        return date(expires_on.year, 1, 1)
    return expires_on - timedelta(days=TECH_SME_RENEWAL_DAYS)


@dataclass(frozen=True)
class RecertBatch:
    """The batch of its expiry year that applies to one 高企, and where the firm stands with it."""

    due_on: date
    state: str  # APPLIED, OPEN, MISSED or CLOSED


APPLIED = "applied"  # it applied in this batch (重新认定申报中)
OPEN = "open"  # it can still make this batch
MISSED = "missed"  # the year's last batch has closed and the firm has not applied this year
CLOSED = "closed"  # it applied this year and failed; no batch of the year is left


def recert_batch(batches: Iterable[date], today: date, *, applied_on: date | None = None,
                 failed: bool = False) -> RecertBatch | None:
    """Return the batch deadline of the expiry year that applies to one 高企 (None: no batch set for that year).

    A firm that applies (marked on applied_on) is in the first batch closing on or after that day; the others may
    still make the next batch closing on or after today, else they missed the year's last one — unless they applied
    and failed (`failed`), when the year's batches are simply over for them.
    """
    ordered = sorted(batches)
    if not ordered:
        return None
    if applied_on is not None:
        return RecertBatch(next((d for d in ordered if d >= applied_on), ordered[-1]), APPLIED)
    upcoming = next((d for d in ordered if d >= today), None)
    if upcoming is not None:
        return RecertBatch(upcoming, OPEN)
    return RecertBatch(ordered[-1], CLOSED if failed else MISSED)
