"""Smallest ways for a firm to reach the 科小 score route (60 points with some tech-staff points)."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pipeline.domain import tech_sme as ts
from pipeline.domain.exact import ceil_cents, ceil_int, exact, needed_addition, plain
from pipeline.domain.profile import Profile, YearFigures
from pipeline.domain.text import M_, N_, Join, Msg

MAX_PLANS = 3


@dataclass(frozen=True, slots=True)
class Step:
    """One improvement in one score component; text None means 'keep as is'."""

    points: int
    text: Msg | None = None


def tech_staff_steps(y: YearFigures, current: int) -> list[Step]:
    """Return the current tech-staff points and every higher band with the persons to add."""
    steps = [Step(current)]
    for share, pts in reversed(ts.TECH_STAFF_BANDS):
        if pts > current:
            persons = ceil_int(needed_addition(exact(y.tech_staff), exact(y.employees), share))
            steps.append(Step(pts, M_("科技人员占比达 %(share)s%%（新增科技人员 %(persons)s 人，+%(points)s 分）",
                                      share=plain(share * 100), persons=persons, points=pts - current)))
    return steps


def rd_steps(y: YearFigures, current: int) -> list[Step]:
    """Return the current R&D points and every higher band with the cheaper extra R&D amount."""
    steps = [Step(current)]
    bands = zip(reversed(ts.RD_SALES_BANDS), reversed(ts.RD_COST_BANDS), strict=True)
    for (by_sales, pts), (by_cost, _) in bands:
        if pts > current:
            measure, amount = _cheaper_rd(y, by_sales, by_cost)
            steps.append(Step(pts, M_("%(measure)s（增加研发费用 %(amount)s 万元，+%(points)s 分）", measure=measure,
                                      amount=plain(amount), points=pts - current)))
    return steps


def _cheaper_rd(y: YearFigures, by_sales: Fraction, by_cost: Fraction) -> tuple[Msg, Decimal]:
    # R&D is part of the cost expense, so extra R&D raises that denominator too.
    cost_route = needed_addition(exact(y.rd), exact(y.cost_expense), by_cost)
    sales_route = by_sales * exact(y.sales) - exact(y.rd) if y.sales else None
    if sales_route is not None and sales_route <= cost_route:
        return M_("研发费用占销售收入达 %(share)s%%", share=plain(by_sales * 100)), _at_least_a_cent(sales_route)
    return M_("研发费用占成本费用达 %(share)s%%", share=plain(by_cost * 100)), _at_least_a_cent(cost_route)


def _at_least_a_cent(amount: Fraction) -> Decimal:
    # With no cost expense at all any R&D meets the share; still some R&D must be spent.
    return max(ceil_cents(amount), Decimal("0.01"))


def ip_steps(class_i: int, class_ii: int, current: int) -> list[Step]:
    """Return the current IP points and every higher band with the IP to obtain."""
    steps = [Step(current)]
    for count, pts in reversed(ts.CLASS_II_BANDS):
        if pts > current:
            steps.append(Step(pts, M_("新增 %(count)s 件 II 类知识产权（+%(points)s 分）", count=count - class_ii,
                                      points=pts - current)))
    if current < ts.CLASS_I_POINTS:
        steps.append(Step(ts.CLASS_I_POINTS, M_("取得 1 件 I 类知识产权如发明专利（+%(points)s 分）",
                                                points=ts.CLASS_I_POINTS - current)))
    return steps


def minimal_plans(tech: list[Step], rd: list[Step], ip: list[Step]) -> list[tuple[Step, ...]]:
    """Return the plans (one step per component) that qualify and cannot be lowered anywhere."""
    def need(t: int, r: int) -> int | None:
        if tech[t].points == 0:
            return None
        return next((i for i, s in enumerate(ip) if tech[t].points + rd[r].points + s.points >= ts.PASS_SCORE), None)

    plans = []
    for t in range(len(tech)):
        for r in range(len(rd)):
            i = need(t, r)
            # The IP step is already the least; the plan is minimal unless a lower tech or R&D step needs no more IP.
            if i is not None and not (t and need(t - 1, r) == i) and not (r and need(t, r - 1) == i):
                plans.append((tech[t], rd[r], ip[i]))
    return sorted(plans, key=lambda plan: (sum(s.text is not None for s in plan), sum(s.points for s in plan)))


def describe_plans(profile: Profile, points: ts.Points) -> Msg | str:
    """Return the few smallest ways to qualify by score, in words ("" when there is none)."""
    y = profile.last
    plans = minimal_plans(tech_staff_steps(y, points.tech_staff), rd_steps(y, points.rd),
                          ip_steps(profile.ip.class_i, profile.ip.class_ii, points.ip))
    texts = tuple(Join(tuple(s.text for s in plan if s.text), N_("＋")) for plan in plans[:MAX_PLANS])
    return M_("可行方案：%(plans)s", plans=Join(texts, N_("；或"))) if texts else ""
