"""惠企政策 conditions and benefits: which firms a policy applies to, and how much it gives, in the eligibility
engine's vocabulary (its figures, its Gap sentences, its exact arithmetic).

A policy's conditions are plain values (PolicyConditions); a firm is described by FirmStanding (its track stages,
first-time 认定 years, town, industry and the engine's Profile). match_policy() returns qualified / near / none with
one Gap per failed condition; a firm *nearly* qualifies when it fails exactly one condition by a small margin, the
same test as the screening's 差一项条件 (gaps.near_miss). Thresholds are inclusive, as everywhere in the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from pipeline.domain.exact import (
    at_least,
    ceil_cents,
    ceil_int,
    exact,
    needed_addition,
    percent_text,
    plain,
    ratio,
)
from pipeline.domain.gaps import _FACTS, NEAR_CEILING, NEAR_PERSONS, NEAR_SHARE, Gap, near_miss
from pipeline.domain.profile import Flags, Profile
from pipeline.domain.stages import Stage, stage_label
from pipeline.domain.text import M_, N_, Join, Msg

QUALIFIED, NEAR, NONE = "qualified", "near", "none"
TRACK = "policy"  # Gap.track of a policy's gaps
AMOUNT_PLACES = Decimal("0.0001")  # 万元 to the 元
FIGURE_CONDITIONS = ("rd_sales_min", "tech_staff_ratio_min", "sales_min", "sales_max", "employees_min",
                     "employees_max", "ip_class_i_min", "ip_class_ii_min", "no_vetoes")


@dataclass(frozen=True, slots=True)
class PolicyConditions:
    """What a firm must be or have; an empty field sets no condition."""

    track: str | None = None  # track code (tech_sme, hnte, …)
    track_name: str = ""  # shown in the gap sentence
    stages: tuple[str, ...] = ()  # accepted stages on that track (empty: any stage on it)
    first_time_this_year: bool = False  # first-time 认定 on the track in the policy year (e.g. 首次认定高企)
    towns: tuple[int, ...] = ()
    industries: tuple[int, ...] = ()
    rd_sales_min: Decimal | None = None  # R&D ÷ sales of the data year (as the 科小 R&D score reads it)
    tech_staff_ratio_min: Decimal | None = None  # tech staff ÷ employees of the data year
    sales_min: Decimal | None = None  # 年销售收入, 万元 (revenue band)
    sales_max: Decimal | None = None
    employees_min: int | None = None
    employees_max: int | None = None
    ip_class_i_min: int | None = None
    ip_class_ii_min: int | None = None
    no_vetoes: bool = False  # none of the one-vote vetoes (重大事故、失信、限制类产业、核定征收、不可加计扣除行业)

    @property
    def needs_figures(self) -> bool:
        return any(getattr(self, name) not in (None, False) for name in FIGURE_CONDITIONS)


@dataclass(frozen=True, slots=True)
class FirmStanding:
    """What the product knows about one firm for matching."""

    town_id: int | None
    industry_id: int | None
    stages: Mapping[str, str] = field(default_factory=dict)  # track code → current stage value
    first_time_years: Mapping[str, frozenset[int]] = field(default_factory=dict)  # track code → years of 首次认定
    profile: Profile | None = None  # None: no confirmed figures


@dataclass(frozen=True, slots=True)
class PolicyMatch:
    """A firm against one policy: status qualified | near | none, and what it lacks."""

    status: str
    gaps: tuple[Gap, ...]


def match_policy(conditions: PolicyConditions, firm: FirmStanding, year: int) -> PolicyMatch:
    """Check every condition of a policy for one firm in the policy year."""
    found = [gap for check in _CHECKS if (gap := check(conditions, firm, year)) is not None]
    if conditions.needs_figures:
        if firm.profile is None:
            found.append(Gap(TRACK, "figures", M_("缺少已核实的年度指标，无法判断指标类条件")))
        else:
            found.extend(_figure_gaps(conditions, firm.profile))
    status = QUALIFIED if not found else NEAR if near_miss(found) else NONE
    return PolicyMatch(status, tuple(found))


def _track_gap(c: PolicyConditions, firm: FirmStanding, year: int) -> Gap | None:
    if not c.track:
        return None
    current = firm.stages.get(c.track)
    if current is not None and (not c.stages or current in c.stages):
        return None
    wanted = Join(tuple(M_(stage_label(Stage(s), c.track)) for s in c.stages)) if c.stages else M_("任一阶段")
    now = M_(stage_label(Stage(current), c.track)) if current else M_("未纳入")
    return Gap(TRACK, "stage", M_("需为%(track)s（%(stages)s），当前：%(current)s", track=c.track_name or c.track,
                                  stages=wanted, current=now))


def _first_time_gap(c: PolicyConditions, firm: FirmStanding, year: int) -> Gap | None:
    if not (c.track and c.first_time_this_year) or year in firm.first_time_years.get(c.track, frozenset()):
        return None
    return Gap(TRACK, "first_time", M_("需为 %(year)s 年首次认定的%(track)s", year=year, track=c.track_name or c.track))


def _town_gap(c: PolicyConditions, firm: FirmStanding, year: int) -> Gap | None:
    if not c.towns or firm.town_id in c.towns:
        return None
    return Gap(TRACK, "town", M_("本政策只适用于指定的乡镇（街道）"))


def _industry_gap(c: PolicyConditions, firm: FirmStanding, year: int) -> Gap | None:
    if not c.industries or firm.industry_id in c.industries:
        return None
    return Gap(TRACK, "industry", M_("本政策只适用于指定的行业"))


_CHECKS = (_track_gap, _first_time_gap, _town_gap, _industry_gap)


def _figure_gaps(c: PolicyConditions, profile: Profile) -> list[Gap]:
    y = profile.last
    found = [
        _share_gap("rd_sales", ratio(y.rd, y.sales), c.rd_sales_min, y.rd, y.sales, part_inside=False),
        _share_gap("tech_staff_ratio", ratio(y.tech_staff, y.employees), c.tech_staff_ratio_min, y.tech_staff,
                   y.employees, part_inside=True),
        _floor_gap("sales_min", M_("年销售收入"), y.sales, c.sales_min, M_("万元")),
        _ceiling_gap("sales_max", M_("年销售收入"), y.sales, c.sales_max, M_("万元")),
        _floor_gap("employees_min", M_("职工总数"), y.employees, c.employees_min, M_("人")),
        _ceiling_gap("employees_max", M_("职工总数"), y.employees, c.employees_max, M_("人")),
        _count_gap("ip_class_i", M_("I 类知识产权"), profile.ip.class_i, c.ip_class_i_min),
        _count_gap("ip_class_ii", M_("II 类知识产权"), profile.ip.class_ii, c.ip_class_ii_min),
        *(_veto_gaps(profile.flags) if c.no_vetoes else ()),
    ]
    return [gap for gap in found if gap is not None]


_SHARE_LABELS = {"rd_sales": M_("研发费用占销售收入比例"), "tech_staff_ratio": M_("科技人员占比")}


def _share_gap(cid: str, value: Fraction | None, minimum: Decimal | None, part, whole, *,
               part_inside: bool) -> Gap | None:
    if minimum is None or at_least(value, minimum):
        return None
    near = value is not None and value >= NEAR_SHARE * exact(minimum)
    if part_inside:  # tech staff are counted among the employees: adding one raises both
        short = ceil_int(needed_addition(exact(part), exact(whole), exact(minimum)))
        need, unit = M_("%(n)s 人", n=short), N_("人")
        near = near or short <= NEAR_PERSONS
    else:  # more R&D spending does not change sales
        short = ceil_cents(exact(minimum) * exact(whole) - exact(part))
        need, unit = M_("%(n)s 万元", n=plain(short)), N_("万元")
    text = M_("%(label)s %(value)s，需 ≥%(minimum)s，差 %(need)s", label=_SHARE_LABELS[cid],
              value=percent_text(value), minimum=f"{plain(minimum * 100)}%", need=need)
    return Gap(TRACK, cid, text, short, unit, near=near)


def _floor_gap(cid: str, label: Msg, value, minimum, unit: Msg) -> Gap | None:
    if minimum is None or value >= minimum:
        return None
    short = minimum - value
    text = M_("%(label)s %(value)s %(unit)s，需 ≥%(minimum)s %(unit)s，差 %(short)s %(unit)s", label=label,
              value=plain(value), unit=unit, minimum=plain(minimum), short=plain(short))
    return Gap(TRACK, cid, text, short, unit.msgid, near=exact(short) <= NEAR_CEILING * exact(minimum))


def _ceiling_gap(cid: str, label: Msg, value, maximum, unit: Msg) -> Gap | None:
    if maximum is None or value <= maximum:
        return None
    excess = value - maximum
    text = M_("%(label)s %(value)s %(unit)s，需 ≤%(maximum)s %(unit)s，超 %(excess)s %(unit)s", label=label,
              value=plain(value), unit=unit, maximum=plain(maximum), excess=plain(excess))
    return Gap(TRACK, cid, text, excess, unit.msgid, near=exact(excess) <= NEAR_CEILING * exact(maximum or 1))


def _count_gap(cid: str, label: Msg, have: int, need: int | None) -> Gap | None:
    if need is None or have >= need:
        return None
    text = M_("%(label)s %(have)s 件，需 ≥%(need)s 件，差 %(short)s 件", label=label, have=have, need=need,
              short=need - have)
    return Gap(TRACK, cid, text, need - have, N_("件"), near=need - have <= 1)


def _veto_gaps(flags: Flags) -> list[Gap]:
    return [Gap(TRACK, f.name, _FACTS[f.name]) for f in fields(Flags) if getattr(flags, f.name)]


# Benefits ---------------------------------------------------------------------------------------------------------

FIXED, RATE, OTHER = "fixed", "rate", "other"


@dataclass(frozen=True, slots=True)
class Benefit:
    """What a policy gives: a fixed reward (万元), a share of the firm's R&D spending (capped), or something else."""

    kind: str
    amount: Decimal | None = None  # fixed: 万元
    rate: Decimal | None = None  # rate: share of R&D, e.g. 0.10 for 10%
    cap: Decimal | None = None  # rate: at most this many 万元 (None: no cap)


def benefit_amount(benefit: Benefit, profile: Profile | None) -> Decimal | None:
    """The amount (万元, to the 元, rounded down) a firm would receive, or None when it cannot be said."""
    if benefit.kind == FIXED:
        return benefit.amount
    if benefit.kind != RATE or benefit.rate is None or profile is None:
        return None
    amount = (profile.last.rd * benefit.rate).quantize(AMOUNT_PLACES, rounding=ROUND_DOWN)
    return amount if benefit.cap is None else min(amount, benefit.cap)


# Award funds (新昌 2022 work plan: ≥ 60% of a government S&T award to the research team, ≥ 30% of that to the main
# contributors) -----------------------------------------------------------------------------------------------------

AWARD_TEAM_MIN = Decimal("0.60")
AWARD_MAIN_MIN = Decimal("0.30")


def award_split_problems(total: Decimal, team: Decimal, main: Decimal) -> list[Msg]:
    """What is wrong with how an award payment is split (empty when the rule is met), checked exactly."""
    problems = []
    if team > total:
        problems.append(M_("分配给科研团队的 %(team)s 万元超过奖励总额 %(total)s 万元", team=plain(team),
                           total=plain(total)))
    elif team < total * AWARD_TEAM_MIN:
        problems.append(M_("奖励资金 %(total)s 万元中用于科研团队的只有 %(team)s 万元，应不低于 %(share)s"
                           "（至少 %(need)s 万元）", total=plain(total), team=plain(team), share="60%",
                           need=plain(total * AWARD_TEAM_MIN)))
    if main > team:
        problems.append(M_("奖励主要贡献人员的 %(main)s 万元超过科研团队所得 %(team)s 万元", main=plain(main),
                           team=plain(team)))
    elif main < team * AWARD_MAIN_MIN:
        problems.append(M_("科研团队所得 %(team)s 万元中奖励主要贡献人员的只有 %(main)s 万元，应不低于 %(share)s"
                           "（至少 %(need)s 万元）", team=plain(team), main=plain(main), share="30%",
                           need=plain(team * AWARD_MAIN_MIN)))
    return problems


# The incentive ledger -----------------------------------------------------------------------------------------------

PROPOSED, APPROVED, PAID, DECLINED = "proposed", "approved", "paid", "declined"
INCENTIVE_STATUS_LABELS = {PROPOSED: N_("拟奖补"), APPROVED: N_("已审批"), PAID: N_("已拨付"), DECLINED: N_("不予奖补")}
INCENTIVE_STEPS = {PROPOSED: (APPROVED, DECLINED), APPROVED: (PAID, DECLINED)}  # paid and declined are final


def incentive_step_problem(current: str, target: str) -> Msg | None:
    """Why an incentive cannot go from `current` to `target` (None: it can)."""
    if target in INCENTIVE_STEPS.get(current, ()):
        return None
    return M_("该奖补当前为“%(current)s”，不能改为“%(target)s”", current=M_(INCENTIVE_STATUS_LABELS[current]),
              target=M_(INCENTIVE_STATUS_LABELS[target]))


@dataclass(frozen=True, slots=True)
class BudgetPosition:
    """A policy's money in one year: the budget (None: none set), committed (approved + paid) and paid."""

    budget: Decimal | None
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed


def over_budget(position: BudgetPosition, amount: Decimal) -> Msg | None:
    """The message when committing `amount` more would exceed the year's budget (None: it fits or there is none)."""
    if position.budget is None or position.committed + amount <= position.budget:
        return None
    return M_("本年度预算 %(budget)s 万元，已承诺 %(committed)s 万元，再审批 %(amount)s 万元将超出预算 %(excess)s 万元",
              budget=plain(position.budget), committed=plain(position.committed), amount=plain(amount),
              excess=plain(position.committed + amount - position.budget))


def describe_conditions(c: PolicyConditions, town_names: Mapping[int, str] | None = None,
                        industry_names: Mapping[int, str] | None = None) -> list[Msg]:
    """The conditions in words, one sentence each (the policy page lists them)."""
    lines = []
    if c.track:
        stages = Join(tuple(M_(stage_label(Stage(s), c.track)) for s in c.stages)) if c.stages else M_("任一阶段")
        lines.append(M_("%(track)s：%(stages)s", track=c.track_name or c.track, stages=stages))
    if c.track and c.first_time_this_year:
        lines.append(M_("当年首次认定（首次获得该资格）"))
    if c.towns:
        lines.append(M_("所在乡镇（街道）：%(names)s", names=Join(tuple((town_names or {}).get(t, str(t))
                                                                      for t in c.towns))))
    if c.industries:
        lines.append(M_("所属行业：%(names)s", names=Join(tuple((industry_names or {}).get(i, str(i))
                                                               for i in c.industries))))
    for value, text in ((c.rd_sales_min, M_("研发费用占销售收入比例 ≥%(v)s", v=_percent(c.rd_sales_min))),
                        (c.tech_staff_ratio_min, M_("科技人员占比 ≥%(v)s", v=_percent(c.tech_staff_ratio_min))),
                        (c.sales_min, M_("年销售收入 ≥%(v)s 万元", v=_plain(c.sales_min))),
                        (c.sales_max, M_("年销售收入 ≤%(v)s 万元", v=_plain(c.sales_max))),
                        (c.employees_min, M_("职工总数 ≥%(v)s 人", v=c.employees_min)),
                        (c.employees_max, M_("职工总数 ≤%(v)s 人", v=c.employees_max)),
                        (c.ip_class_i_min, M_("I 类知识产权 ≥%(v)s 件", v=c.ip_class_i_min)),
                        (c.ip_class_ii_min, M_("II 类知识产权 ≥%(v)s 件", v=c.ip_class_ii_min))):
        if value is not None:
            lines.append(text)
    if c.no_vetoes:
        lines.append(M_("无重大事故、失信、限制类产业、核定征收等一票否决情形"))
    return lines or [M_("不限条件")]


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{plain(value * 100)}%"


def _plain(value: Decimal | None) -> str:
    return "" if value is None else plain(value)
