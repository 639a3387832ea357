"""高企 compliance dates: two missed annual reports in a row; the 3-month duty to report a change."""

from datetime import date

from pipeline.domain.compliance import change_report_due, last_two_report_years, missed_twice


def test_the_two_latest_report_years_turn_after_31_may():
    assert last_two_report_years(date(2026, 5, 31)) == (2024, 2025)
    assert last_two_report_years(date(2026, 6, 1)) == (2025, 2026)


def test_two_missed_reports_flag_only_firms_that_owed_both():
    assert missed_twice(date(2024, 11, 20), set(), date(2026, 6, 1))
    assert not missed_twice(date(2024, 11, 20), {2026}, date(2026, 6, 1))
    assert not missed_twice(date(2025, 3, 1), set(), date(2026, 6, 1))  # 2025's report was not owed yet


def test_a_change_is_reported_within_three_months():
    assert change_report_due(date(2026, 11, 30)) == date(2027, 2, 28)
    assert change_report_due(date(2026, 1, 15)) == date(2026, 4, 15)
