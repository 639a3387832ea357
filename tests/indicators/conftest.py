"""Builders for firms with figures: a firm that meets both tracks' conditions unless a test says otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pipeline.indicators.services import save_facts, save_year

TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 2, 0, tzinfo=UTC)
GOOD_YEAR = {
    "employees": 100, "tech_staff": 20, "sales": Decimal("8000"), "cost_expense": Decimal("7000"),
    "rd": Decimal("400"), "rd_domestic": Decimal("400"), "total_assets": Decimal("9000"),
    "net_assets": Decimal("4000"), "total_revenue": Decimal("8000"), "high_tech_revenue": Decimal("6000"),
}
GOOD_FACTS = {"ip_class_i": 1, "ip_class_ii": 6, "hnte_domain": "新材料", "conversions_3y": 12}


@pytest.fixture
def add_figures(db):
    """Give a firm official figures for some years (default 2023–2025) and facts; returns the firm."""

    def add(firm, years=(2023, 2024, 2025), facts=None, **overrides):
        for year in years:
            save_year(firm, year, {**GOOD_YEAR, **overrides}, actor=None, now=NOW)
        save_facts(firm, {**GOOD_FACTS, **(facts or {})}, actor=None, now=NOW)
        return firm

    return add
