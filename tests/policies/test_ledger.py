"""The incentive ledger: steps in order with their history and actor, the budget summed exactly, the award split rule
checked with a Chinese message and nothing kept when refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pipeline.auth.models import Role
from pipeline.policies.ledger import (
    LedgerError,
    Payment,
    approve_incentive,
    budget_position,
    decline_incentive,
    pay_incentive,
    propose_incentive,
    set_budget,
)
from tests.policies.conftest import NOW


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


def test_steps_keep_history_with_actor_and_amounts(db, make_firm, make_policy, officer):
    policy = make_policy()
    incentive = propose_incentive(policy, make_firm().id, 2026, Decimal("20"), actor=officer, now=NOW)
    approve_incentive(incentive, Decimal("18.5"), actor=officer, now=NOW, note="按实核定")
    pay_incentive(incentive, Payment(Decimal("18.5"), date(2026, 7, 1), "新财企〔2026〕12号"), actor=officer, now=NOW)
    assert [(c.from_status, c.to_status, c.amount, c.actor_id) for c in incentive.changes] == [
        (None, "proposed", Decimal("20"), officer.id), ("proposed", "approved", Decimal("18.5"), officer.id),
        ("approved", "paid", Decimal("18.5"), officer.id)]
    with pytest.raises(LedgerError, match="已拨付"):
        decline_incentive(incentive, actor=officer, now=NOW, note="重复")


def test_one_incentive_per_policy_firm_and_year(db, make_firm, make_policy, officer):
    policy, firm = make_policy(), make_firm()
    propose_incentive(policy, firm.id, 2026, Decimal("20"), actor=officer, now=NOW)
    with pytest.raises(LedgerError, match="已有此政策的奖补记录"):
        propose_incentive(policy, firm.id, 2026, Decimal("20"), actor=officer, now=NOW)
    propose_incentive(policy, firm.id, 2027, Decimal("20"), actor=officer, now=NOW)  # another year is another row


def test_budget_committed_and_paid_are_exact_and_approval_past_the_budget_is_refused(db, make_firm, make_policy,
                                                                                    officer):
    policy = make_policy()
    set_budget(policy, 2026, Decimal("0.6"))
    rows = [propose_incentive(policy, make_firm().id, 2026, Decimal("0.1"), actor=officer, now=NOW)
            for _ in range(4)]
    approve_incentive(rows[0], Decimal("0.1"), actor=officer, now=NOW)
    approve_incentive(rows[1], Decimal("0.2"), actor=officer, now=NOW)
    pay_incentive(rows[1], Payment(Decimal("0.2"), date(2026, 7, 1), "新财企〔2026〕1号"), actor=officer, now=NOW)
    approve_incentive(rows[2], Decimal("0.3"), actor=officer, now=NOW)  # 0.1 + 0.2 + 0.3 = 0.6 exactly: fits
    position = budget_position(policy.id, 2026)
    assert (position.budget, position.committed, position.paid, position.remaining) == (
        Decimal("0.6"), Decimal("0.6"), Decimal("0.2"), Decimal("0"))
    with pytest.raises(LedgerError, match="将超出预算 0.0001 万元"):
        approve_incentive(rows[3], Decimal("0.0001"), actor=officer, now=NOW)
    assert rows[3].status == "proposed" and len(rows[3].changes) == 1
    decline_incentive(rows[2], actor=officer, now=NOW, note="企业放弃")
    assert budget_position(policy.id, 2026).committed == Decimal("0.3")  # a declined row frees its money


def test_award_payment_split_is_checked_with_a_clear_message(db, make_firm, make_policy, officer):
    policy = make_policy(title="新昌县科学技术奖", is_award=True)
    incentive = propose_incentive(policy, make_firm().id, 2026, Decimal("10"), actor=officer, now=NOW)
    approve_incentive(incentive, Decimal("10"), actor=officer, now=NOW)
    with pytest.raises(LedgerError, match="须填写分配给科研团队"):
        pay_incentive(incentive, Payment(Decimal("10"), date(2026, 7, 1), "新政发〔2026〕3号"), actor=officer, now=NOW)
    short = Payment(Decimal("10"), date(2026, 7, 1), "新政发〔2026〕3号", Decimal("5.99"), Decimal("3"))
    with pytest.raises(LedgerError) as refused:
        pay_incentive(incentive, short, actor=officer, now=NOW)
    assert str(refused.value) == "奖励资金 10 万元中用于科研团队的只有 5.99 万元，应不低于 60%（至少 6 万元）。"
    assert incentive.status == "approved"
    pay_incentive(incentive, Payment(Decimal("10"), date(2026, 7, 1), "新政发〔2026〕3号", Decimal("6"), Decimal("1.8")),
                  actor=officer, now=NOW)
    assert (incentive.status, incentive.team_amount, incentive.main_amount) == ("paid", Decimal("6"), Decimal("1.8"))


def test_payment_needs_approval_a_document_number_and_at_most_the_approved_amount(db, make_firm, make_policy,
                                                                                  officer):
    incentive = propose_incentive(make_policy(), make_firm().id, 2026, Decimal("20"), actor=officer, now=NOW)
    with pytest.raises(LedgerError, match="不能改为“已拨付”"):
        pay_incentive(incentive, Payment(Decimal("20"), date(2026, 7, 1), "x"), actor=officer, now=NOW)
    approve_incentive(incentive, Decimal("20"), actor=officer, now=NOW)
    with pytest.raises(LedgerError, match="不超过审批金额"):
        pay_incentive(incentive, Payment(Decimal("20.01"), date(2026, 7, 1), "x"), actor=officer, now=NOW)
    with pytest.raises(LedgerError, match="拨付文号"):
        pay_incentive(incentive, Payment(Decimal("20"), date(2026, 7, 1), "  "), actor=officer, now=NOW)
