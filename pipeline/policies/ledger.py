"""The incentive ledger (奖补台账): proposals, approval, payment and refusal, each step kept with its actor, and the
budget per policy and year. Amounts in 万元 as Decimal. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import case, func, select

from pipeline.auth.models import User
from pipeline.domain.policy import (
    APPROVED,
    DECLINED,
    PAID,
    PROPOSED,
    BudgetPosition,
    award_split_problems,
    benefit_amount,
    incentive_step_problem,
    over_budget,
)
from pipeline.domain.profile import Profile
from pipeline.domain.text import M_, Msg
from pipeline.extensions import db
from pipeline.funnel.models import Track
from pipeline.i18n import translate_msg
from pipeline.policies.conditions import load_conditions, policy_benefit
from pipeline.policies.models import Incentive, IncentiveChange, Policy, PolicyBudget

ZERO = Decimal(0)


class LedgerError(ValueError):
    """A ledger step refused, with the message the user sees (already translated); nothing changed."""


def _refuse(msg: Msg | str) -> LedgerError:
    return LedgerError(translate_msg(msg) if isinstance(msg, Msg) else msg)


def _track_id(policy: Policy) -> int | None:
    code = load_conditions(policy.conditions).track
    return db.session.scalar(select(Track.id).where(Track.code == code)) if code else None


def _log(incentive: Incentive, from_status: str | None, *, actor: User | None, now: datetime,
         amount: Decimal | None, note: str = "") -> None:
    incentive.updated_at = now
    db.session.add(IncentiveChange(incentive=incentive, at=now, actor=actor, from_status=from_status,
                                   to_status=incentive.status, amount=amount, note=note))


def existing_incentive(policy_id: int, firm_id: int, year: int) -> Incentive | None:
    return db.session.scalar(select(Incentive).where(Incentive.policy_id == policy_id, Incentive.firm_id == firm_id,
                                                     Incentive.year == year))


def propose_incentive(policy: Policy, firm_id: int, year: int, amount: Decimal, *, actor: User | None,
                      now: datetime, note: str = "", origin: str = "") -> Incentive:
    """Put a reward in the ledger as 拟奖补; one per policy, firm and year (a second proposal is refused)."""
    if amount <= 0:
        raise _refuse(M_("奖补金额应大于 0。"))
    if existing_incentive(policy.id, firm_id, year) is not None:
        raise _refuse(M_("该企业本年度已有此政策的奖补记录。"))
    incentive = Incentive(policy=policy, firm_id=firm_id, track_id=_track_id(policy), year=year, status=PROPOSED,
                          amount=amount, origin=origin, created_at=now, updated_at=now)
    db.session.add(incentive)
    _log(incentive, None, actor=actor, now=now, amount=amount, note=note)
    db.session.flush()
    return incentive


def propose_reward(policy: Policy, firm_id: int, year: int, profile: Profile | None, *, actor: User | None,
                   now: datetime) -> Incentive | None:
    """Propose a policy's reward for a firm that just qualified (once: nothing when the ledger has it already)."""
    amount = benefit_amount(policy_benefit(policy), profile)
    if not amount or existing_incentive(policy.id, firm_id, year) is not None:
        return None
    return propose_incentive(policy, firm_id, year, amount, actor=actor, now=now, origin="match",
                             note="符合政策条件，系统自动拟定")


def _step(incentive: Incentive, target: str) -> str:
    problem = incentive_step_problem(incentive.status, target)
    if problem:
        raise _refuse(problem)
    return incentive.status


def approve_incentive(incentive: Incentive, amount: Decimal, *, actor: User, now: datetime, note: str = "") -> None:
    """Approve an amount (万元), refused when it would exceed the policy's budget for the year."""
    before = _step(incentive, APPROVED)
    if amount <= 0:
        raise _refuse(M_("奖补金额应大于 0。"))
    problem = over_budget(budget_position(incentive.policy_id, incentive.year), amount)
    if problem:
        raise _refuse(problem)
    incentive.status, incentive.amount = APPROVED, amount
    _log(incentive, before, actor=actor, now=now, amount=amount, note=note)
    db.session.flush()


@dataclass(frozen=True)
class Payment:
    amount: Decimal
    paid_on: date
    document_number: str
    team_amount: Decimal | None = None  # award funds only
    main_amount: Decimal | None = None


def pay_incentive(incentive: Incentive, payment: Payment, *, actor: User, now: datetime, note: str = "") -> None:
    """Record the payment (amount, date, 拨付文号); an award's split must meet the 60% / 30% rule."""
    before = _step(incentive, PAID)
    if payment.amount <= 0 or payment.amount > incentive.amount:
        raise _refuse(M_("拨付金额应大于 0 且不超过审批金额。"))
    if not payment.document_number.strip():
        raise _refuse(M_("请填写拨付文号。"))
    if incentive.policy.is_award:
        if payment.team_amount is None or payment.main_amount is None:
            raise _refuse(M_("科技奖励须填写分配给科研团队和主要贡献人员的金额。"))
        problems = award_split_problems(payment.amount, payment.team_amount, payment.main_amount)
        if problems:
            raise _refuse("；".join(translate_msg(p) for p in problems) + "。")
    incentive.status, incentive.paid_amount, incentive.paid_on = PAID, payment.amount, payment.paid_on
    incentive.payment_document = payment.document_number.strip()
    incentive.team_amount, incentive.main_amount = payment.team_amount, payment.main_amount
    _log(incentive, before, actor=actor, now=now, amount=payment.amount, note=note)
    db.session.flush()


def decline_incentive(incentive: Incentive, *, actor: User, now: datetime, note: str) -> None:
    """Decline a proposed or approved incentive; the reason is required."""
    before = _step(incentive, DECLINED)
    if not note.strip():
        raise _refuse(M_("请填写不予奖补的理由。"))
    incentive.status = DECLINED
    _log(incentive, before, actor=actor, now=now, amount=None, note=note.strip())
    db.session.flush()


def budget_position(policy_id: int, year: int) -> BudgetPosition:
    """Budget, committed (approved + paid) and paid of a policy in a year, summed exactly by the database."""
    budget = db.session.scalar(select(PolicyBudget.amount).where(PolicyBudget.policy_id == policy_id,
                                                                PolicyBudget.year == year))
    committed, paid = db.session.execute(select(
        func.coalesce(func.sum(case((Incentive.status == APPROVED, Incentive.amount),
                                    (Incentive.status == PAID, Incentive.paid_amount), else_=0)), 0),
        func.coalesce(func.sum(case((Incentive.status == PAID, Incentive.paid_amount), else_=0)), 0))
        .where(Incentive.policy_id == policy_id, Incentive.year == year)).one()
    return BudgetPosition(budget, Decimal(committed), Decimal(paid))


def set_budget(policy: Policy, year: int, amount: Decimal) -> None:
    """Set (or replace) a policy's budget for a year."""
    if amount < 0:
        raise _refuse(M_("预算不能为负数。"))
    row = db.session.get(PolicyBudget, (policy.id, year))
    if row is None:
        db.session.add(PolicyBudget(policy_id=policy.id, year=year, amount=amount))
    else:
        row.amount = amount
    db.session.flush()
