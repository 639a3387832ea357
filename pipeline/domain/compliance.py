"""高企 compliance dates (国科发火〔2016〕32号 and its 工作指引; RULES.md §2). Plain Python: dates in, dates out.

- The annual development report of year Y−1 is due 31 May of Y; a firm that misses it two years running loses its
  status, so two missed reports in a row flag it as at risk of cancellation.
- A change of name or a major change (分立、合并、重组, a change of business) must be reported within 3 months.
"""

from __future__ import annotations

from datetime import date

from pipeline.domain.deadlines import annual_report_due
from pipeline.domain.periods import add_months

CHANGE_REPORT_MONTHS = 3
# Firm fields whose change the firm must report (name, the registration behind the credit code, its business).
REPORTABLE_FIELDS = ("name", "credit_code", "industry_id")


def last_two_report_years(today: date) -> tuple[int, int]:
    """The two latest years whose annual report deadline (31 May) has passed, earlier first."""
    last = today.year if today > annual_report_due(today.year) else today.year - 1
    return last - 1, last


def missed_twice(certified_on: date | None, filed_years: set[int], today: date) -> bool:
    """Two reports in a row were owed (the firm was certified before both years began) and neither was filed."""
    years = last_two_report_years(today)
    owed = certified_on is None or certified_on < date(years[0], 1, 1)
    return owed and not (set(years) & filed_years)


def change_report_due(changed_on: date) -> date:
    """The day a change must be reported by: three months after it."""
    return add_months(changed_on, CHANGE_REPORT_MONTHS)
