from datetime import date

import pytest

from pipeline.domain.deadlines import (
    add_years,
    annual_report_due,
    hnte_expiry,
    tech_sme_expiry,
)


@pytest.mark.parametrize("start, years, expected", [
    (date(2023, 12, 5), 3, date(2026, 12, 5)),
    (date(2024, 2, 29), 1, date(2025, 2, 28)),
    (date(2024, 2, 29), 4, date(2028, 2, 29)),
    (date(2024, 2, 29), -1, date(2023, 2, 28)),
    (date(2025, 3, 1), -1, date(2024, 3, 1)),
])
def test_add_years(start, years, expected):
    assert add_years(start, years) == expected


def test_hnte_certificate_expires_three_years_after_issue():
    assert hnte_expiry(date(2023, 12, 5)) == date(2026, 12, 5)
    assert hnte_expiry(date(2024, 2, 29)) == date(2027, 2, 28)


def test_tech_sme_number_expires_at_the_end_of_its_year():
    assert tech_sme_expiry("20253306240A001234") == date(2025, 12, 31)
    with pytest.raises(ValueError, match="四位年份"):
        tech_sme_expiry("A2025")


def test_annual_report_is_due_on_31_may():
    assert annual_report_due(2026) == date(2026, 5, 31)
