"""Builders for the policy tests: a published policy, firms with confirmed figures (tests/indicators' builder)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pipeline.domain.policy import PolicyConditions
from pipeline.policies.services import publish_policy, save_policy
from tests.indicators.conftest import GOOD_FACTS, GOOD_YEAR, add_figures  # noqa: F401  (fixture)

NOW = datetime(2026, 6, 30, 2, 0, tzinfo=UTC)
__all__ = ["GOOD_FACTS", "GOOD_YEAR", "NOW"]


@pytest.fixture
def make_policy(db, make_user):
    """Save (and by default publish) a policy with the given conditions; a fixed 20 万元 reward unless told."""
    author = make_user()

    def make(conditions: PolicyConditions | None = None, *, publish=True, now=NOW, **values):
        fields = dict(title="新昌县首次认定高新技术企业奖励", issuer="新昌县人民政府", document_number="新政发〔2022〕1号",
                      effective_from=date(2022, 1, 1), effective_to=None, summary="", next_step="向县科技局申报",
                      benefit_kind="fixed", benefit_amount=Decimal("20"), benefit_rate=None, benefit_cap=None,
                      benefit_text="", is_award=False)
        fields.update(values)
        policy = save_policy(None, fields, conditions or PolicyConditions(), actor=author, now=now)
        if publish:
            publish_policy(policy, now=now)
        return policy

    return make
