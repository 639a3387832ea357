"""Demo policies of the county (Xinchang's 2022 incentives, 长高长壮), published through the services so that the
demo firms are matched, first-time 高企 of this year get their reward proposed, and part of the ledger is paid."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from pipeline.auth.models import Role, User
from pipeline.domain.policy import PolicyConditions
from pipeline.extensions import db
from pipeline.funnel.services import local_today
from pipeline.policies.ledger import Payment, approve_incentive, pay_incentive, set_budget
from pipeline.policies.models import Incentive, Policy
from pipeline.policies.services import publish_policy, save_policy

_BASE = dict(issuer="新昌县人民政府", effective_from=date(2022, 1, 1), effective_to=None, benefit_rate=None,
             benefit_cap=None, benefit_text="", is_award=False, benefit_amount=None)
DEMO_POLICIES = [
    (dict(_BASE, title="首次认定国家高新技术企业奖励", document_number="新政发〔2022〕8号",
          summary="对首次认定为国家高新技术企业的企业，给予一次性奖励 20 万元（“长高长壮”专项激励）。",
          next_step="无需另行申报：认定公布后由县科技局核定，经审批后拨付。如有疑问请联系县科技局高新科。",
          benefit_kind="fixed", benefit_amount=Decimal("20")),
     PolicyConditions(track="hnte", track_name="高新技术企业", stages=("certified",), first_time_this_year=True),
     Decimal("600")),
    (dict(_BASE, title="企业研发费用补助", document_number="新政发〔2022〕8号",
          summary="对研发投入强度达到 3% 以上的企业，按上年度研发费用的 10% 给予补助，单家企业最高 100 万元。",
          next_step="每年 6 月底前通过本系统填报上年度研发费用并上传研发费用专项审计报告，县科技局会同财政局审核。",
          benefit_kind="rate", benefit_rate=Decimal("0.10"), benefit_cap=Decimal("100")),
     PolicyConditions(rd_sales_min=Decimal("0.03"), no_vetoes=True), Decimal("1500")),
    (dict(_BASE, title="高企培育库企业免费申报辅导", issuer="新昌县科学技术局", document_number="新科〔2022〕15号",
          summary="对纳入高企培育库的企业，免费提供研发费用归集、知识产权布局和高企申报辅导。",
          next_step="联系县科技局联系专员预约辅导时间。", benefit_kind="other",
          benefit_text="免费申报辅导、研发费用归集培训"),
     PolicyConditions(track="hnte", track_name="高新技术企业", stages=("pool", "cultivating"),
                      tech_staff_ratio_min=Decimal("0.10")), None),
]


def seed_policies(now: datetime) -> int:
    """Publish the demo policies unless the catalogue has any; approve and pay some proposals. Returns how many."""
    if db.session.scalar(select(Policy.id).limit(1)) is not None:
        return 0
    officer = db.session.scalar(select(User).where(User.username == "officer")) or db.session.scalar(
        select(User).where(User.role == Role.ADMIN))
    if officer is None:
        return 0
    year = local_today(now).year
    for values, conditions, budget in DEMO_POLICIES:
        policy = save_policy(None, values, conditions, actor=officer, now=now)
        if budget is not None:
            set_budget(policy, year, budget)
        publish_policy(policy, now=now)
    _pay_some(officer, now, year)
    return len(DEMO_POLICIES)


def _pay_some(officer: User, now: datetime, year: int) -> None:
    """Half of the proposals approved, half of those paid in the year (the dashboard's 奖补兑现)."""
    proposals = db.session.scalars(select(Incentive).where(Incentive.year == year).order_by(Incentive.id)).all()
    for number, incentive in enumerate(proposals[: len(proposals) // 2]):
        approve_incentive(incentive, incentive.amount, actor=officer, now=now)
        if number % 2 == 0:
            paid_on = min(local_today(now), date(year, 11, 20)) - timedelta(days=number)
            pay_incentive(incentive, Payment(incentive.amount, paid_on, f"新财企〔{year}〕{30 + number}号"),
                          actor=officer, now=now)
