"""Builders for firm profiles: a firm that meets every condition unless a test says otherwise."""

import copy

import pytest

from pipeline.domain.profile import Profile, parse_profile

BASE_YEAR = {
    "employees": 100, "tech_staff": 20, "sales": "8000", "cost_expense": "7000", "rd": "400",
    "rd_domestic": "400", "total_assets": "9000", "net_assets": "4000", "total_revenue": "8000",
    "high_tech_revenue": "6000",
}


def profile_data(*, last: dict | None = None, every_year: dict | None = None, **top) -> dict:
    """Return a raw profile (as decoded from JSON) for as_of 2026-06-30 with fiscal years 2023–2025."""
    data = {
        "name": "测试企业", "registered_on": "2019-04-12", "as_of": "2026-06-30",
        "years": {str(y): {**BASE_YEAR, **(every_year or {})} for y in (2023, 2024, 2025)},
        "ip": {"class_i": 0, "class_ii": 2}, "hnte_domain": "新材料", "conversions_3y": 6,
    }
    data["years"]["2025"].update(last or {})
    data.update(copy.deepcopy(top))
    return data


@pytest.fixture
def make_data():
    return profile_data


@pytest.fixture
def make_profile():
    def make(**kw) -> Profile:
        return parse_profile(profile_data(**kw))
    return make
