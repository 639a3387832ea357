"""Reporting periods: parsing, local-midnight bounds in Asia/Shanghai, year progress and the year-end projection."""

from datetime import UTC, date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from pipeline.domain.periods import (
    PeriodError,
    add_months,
    month_period,
    parse_month,
    parse_period,
    previous_period,
    project_year_end,
    recent_months,
    year_progress,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("text", "first", "last", "key"), [
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "2026-10"),
    ("2026-2", date(2026, 2, 1), date(2026, 2, 28), "2026-02"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026-Q3"),
    ("2026-q4", date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ("2026-01-05..2026-02-10", date(2026, 1, 5), date(2026, 2, 10), "2026-01-05..2026-02-10"),
])
def test_parse_period(text, first, last, key):
    period = parse_period(text)
    assert (period.first, period.last, period.key) == (first, last, key)
    assert parse_period(period.key) == period


@pytest.mark.parametrize("text", ["", "2026-13", "2026-00", "1999-05", "2026-Q5", "26-10", "2026-10-01",
                                  "2026-02-30..2026-03-01", "2026-03-01..2026-02-01", "2000-01-01..2020-01-01",
                                  "<script>"])
def test_bad_periods_are_refused_with_a_message(text):
    with pytest.raises(PeriodError) as error:
        parse_period(text)
    assert str(error.value)


def test_parse_month_accepts_only_months():
    assert parse_month("2026-10").key == "2026-10"
    with pytest.raises(PeriodError):
        parse_month("2026")


def test_month_bounds_are_local_midnights_in_utc():
    start, end = month_period(2026, 10).bounds(SHANGHAI)
    assert start == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    late_on_the_last_day = datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI)
    assert start <= late_on_the_last_day < end
    assert not datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI) < end


def test_previous_periods():
    assert previous_period(month_period(2026, 1)).key == "2025-12"
    assert previous_period(parse_period("2026-Q1")).key == "2025-Q4"
    assert previous_period(parse_period("2026")).key == "2025"
    assert previous_period(parse_period("2026-01-11..2026-01-20")).key == "2026-01-01..2026-01-10"


def test_recent_months_are_newest_first():
    assert [p.key for p in recent_months(date(2026, 2, 14), 3)] == ["2026-02", "2026-01", "2025-12"]


def test_year_progress_counts_whole_days():
    assert year_progress(date(2026, 1, 1)) == Fraction(1, 365)
    assert year_progress(date(2026, 6, 30)) == Fraction(181, 365)
    assert year_progress(date(2026, 12, 31)) == 1
    assert year_progress(date(2024, 12, 31)) == 1  # leap year


def test_projection_is_linear_and_rounds_half_up():
    assert project_year_end(10, Fraction(181, 365)) == 20  # 20.17
    assert project_year_end(1, Fraction(2, 5)) == 3  # 2.5 → 3
    assert project_year_end(0, Fraction(1, 2)) == 0
    assert project_year_end(7, Fraction(1)) == 7
    assert project_year_end(3, Fraction(0)) is None


def test_add_months_clamps_to_the_last_day():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 15), 6) == date(2027, 5, 15)
    assert add_months(date(2024, 2, 29), 36) == date(2027, 2, 28)
