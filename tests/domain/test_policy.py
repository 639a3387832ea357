"""Policy conditions use the eligibility engine's vocabulary and exact arithmetic: a condition on a figure matches
exactly the firms the engine says meet it, thresholds inclusive; rewards, award splits and budgets are exact."""

from decimal import Decimal

import pytest

from pipeline.domain.eligibility import assess
from pipeline.domain.policy import (
    NEAR,
    NONE,
    QUALIFIED,
    Benefit,
    BudgetPosition,
    FirmStanding,
    PolicyConditions,
    award_split_problems,
    benefit_amount,
    describe_conditions,
    incentive_step_problem,
    match_policy,
    over_budget,
)
from pipeline.domain.profile import Flags, IpCounts, parse_profile

YEAR = 2026


def profile(**figures):
    year = {"employees": 100, "tech_staff": 20, "sales": "8000", "cost_expense": "7000", "rd": "400",
            "total_assets": "9000", "net_assets": "4000", "total_revenue": "8000", "high_tech_revenue": "6000"}
    year.update({k: str(v) for k, v in figures.items()})
    return parse_profile({"registered_on": "2018-05-01", "as_of": "2026-06-30",
                          "years": {"2023": year, "2024": year, "2025": year},
                          "ip": {"class_i": 1, "class_ii": 3}, "hnte_domain": "新材料"})


def standing(p=None, *, stages=None, first=None, town=1, industry=1):
    return FirmStanding(town, industry, stages or {}, first or {}, p)


@pytest.mark.parametrize("tech_staff", range(0, 21))
def test_tech_staff_condition_matches_exactly_the_firms_the_engine_passes(tech_staff):
    p = profile(tech_staff=tech_staff)
    engine = assess(p).hnte.conditions["tech_staff_ratio"].passed  # 高企: tech staff ÷ employees ≥ 10%
    result = match_policy(PolicyConditions(tech_staff_ratio_min=Decimal("0.10")), standing(p), YEAR)
    assert (result.status == QUALIFIED) is engine


@pytest.mark.parametrize("rd", ["159.99", "160", "160.01", "200", "240", "319.99", "320", "480"])
def test_rd_ratio_condition_matches_the_engines_rd_sales_ratio_at_the_edges(rd):
    p = profile(rd=rd)
    engine_ratio = assess(p).tech_sme.rd_sales_ratio  # 科小 reads R&D ÷ sales of the data year too
    result = match_policy(PolicyConditions(rd_sales_min=Decimal("0.04")), standing(p), YEAR)
    assert (result.status == QUALIFIED) is (engine_ratio >= Decimal("0.04"))


def test_rd_ratio_exactly_on_the_threshold_qualifies_and_a_cent_below_is_near_with_the_gap():
    assert match_policy(PolicyConditions(rd_sales_min=Decimal("0.04")), standing(profile(rd="320")), YEAR).status \
        == QUALIFIED
    result = match_policy(PolicyConditions(rd_sales_min=Decimal("0.04")), standing(profile(rd="319.99")), YEAR)
    assert result.status == NEAR
    (gap,) = result.gaps
    assert gap.condition == "rd_sales" and gap.shortfall == Decimal("0.01")
    assert str(gap.text) == "研发费用占销售收入比例 3.9%，需 ≥4%，差 0.01 万元"


def test_revenue_band_and_staff_are_inclusive_and_a_far_miss_is_not_near():
    band = PolicyConditions(sales_min=Decimal("2000"), sales_max=Decimal("8000"), employees_max=100)
    assert match_policy(band, standing(profile()), YEAR).status == QUALIFIED  # 8000 万元 and 100 people exactly
    assert match_policy(band, standing(profile(sales="8000.01")), YEAR).status == NEAR
    assert match_policy(band, standing(profile(sales="9000", employees=120)), YEAR).status == NONE


def test_ip_counts_and_vetoes():
    p = profile()
    assert match_policy(PolicyConditions(ip_class_i_min=1, ip_class_ii_min=3), standing(p), YEAR).status == QUALIFIED
    result = match_policy(PolicyConditions(ip_class_ii_min=4), standing(p), YEAR)
    assert result.status == NEAR and str(result.gaps[0].text) == "II 类知识产权 3 件，需 ≥4 件，差 1 件"
    flagged = profile()
    object.__setattr__(flagged, "flags", Flags(dishonest_list=True))
    object.__setattr__(flagged, "ip", IpCounts(1, 3))
    vetoed = match_policy(PolicyConditions(no_vetoes=True), standing(flagged), YEAR)
    assert vetoed.status == NONE and vetoed.gaps[0].condition == "dishonest_list"  # a veto is never near


def test_stage_town_industry_and_first_time_this_year():
    conditions = PolicyConditions(track="hnte", track_name="高新技术企业", stages=("certified",),
                                  first_time_this_year=True, towns=(1, 2), industries=(1,))
    certified = standing(stages={"hnte": "certified"}, first={"hnte": frozenset({YEAR})})
    assert match_policy(conditions, certified, YEAR).status == QUALIFIED
    last_year = standing(stages={"hnte": "certified"}, first={"hnte": frozenset({YEAR - 1})})
    result = match_policy(conditions, last_year, YEAR)
    assert [g.condition for g in result.gaps] == ["first_time"]
    assert str(result.gaps[0].text) == "需为 2026 年首次认定的高新技术企业"
    cultivating = match_policy(conditions, standing(stages={"hnte": "cultivating"}), YEAR)
    assert str(cultivating.gaps[0].text) == "需为高新技术企业（认定），当前：培育"
    elsewhere = standing(stages={"hnte": "certified"}, first={"hnte": frozenset({YEAR})}, town=3)
    assert [g.condition for g in match_policy(conditions, elsewhere, YEAR).gaps] == ["town"]


def test_figure_conditions_without_confirmed_figures_say_so():
    result = match_policy(PolicyConditions(sales_min=Decimal(1)), standing(None), YEAR)
    assert result.status == NONE and result.gaps[0].condition == "figures"
    assert match_policy(PolicyConditions(track="hnte"), standing(None, stages={"hnte": "pool"}), YEAR).status \
        == QUALIFIED  # no figure condition: no figures needed


def test_benefit_amount_is_exact_and_capped():
    p = profile(rd="333.33")
    assert benefit_amount(Benefit("fixed", Decimal("20")), p) == Decimal("20")
    assert benefit_amount(Benefit("rate", rate=Decimal("0.10")), p) == Decimal("33.333")
    assert benefit_amount(Benefit("rate", rate=Decimal("0.10"), cap=Decimal("30")), p) == Decimal("30")
    assert benefit_amount(Benefit("rate", rate=Decimal("0.10")), None) is None
    assert benefit_amount(Benefit("other"), p) is None


def test_award_split_at_exactly_60_and_30_percent_passes_and_just_below_fails():
    assert award_split_problems(Decimal("10"), Decimal("6"), Decimal("1.8")) == []
    team = award_split_problems(Decimal("10"), Decimal("5.9999"), Decimal("1.8"))
    assert [str(m) for m in team] == ["奖励资金 10 万元中用于科研团队的只有 5.9999 万元，应不低于 60%（至少 6 万元）"]
    main = award_split_problems(Decimal("10"), Decimal("6"), Decimal("1.7999"))
    assert [str(m) for m in main] == ["科研团队所得 6 万元中奖励主要贡献人员的只有 1.7999 万元，应不低于 30%（至少 1.8 万元）"]
    assert len(award_split_problems(Decimal("10"), Decimal("11"), Decimal("12"))) == 2


def test_budget_arithmetic_is_exact():
    position = BudgetPosition(Decimal("100"), Decimal("0.1") + Decimal("0.2") + Decimal("99.4"), Decimal("0.3"))
    assert position.remaining == Decimal("0.3")
    assert over_budget(position, Decimal("0.3")) is None  # exactly the budget
    assert str(over_budget(position, Decimal("0.3001"))) == \
        "本年度预算 100 万元，已承诺 99.7 万元，再审批 0.3001 万元将超出预算 0.0001 万元"
    assert over_budget(BudgetPosition(None, Decimal(5), Decimal(0)), Decimal(10**6)) is None


def test_incentive_steps():
    assert incentive_step_problem("proposed", "approved") is None
    assert incentive_step_problem("approved", "paid") is None
    assert str(incentive_step_problem("paid", "declined")) == "该奖补当前为“已拨付”，不能改为“不予奖补”"
    assert incentive_step_problem("proposed", "paid") is not None  # approval first


def test_conditions_described_in_words():
    lines = [str(m) for m in describe_conditions(
        PolicyConditions(track="hnte", track_name="高新技术企业", stages=("certified",), first_time_this_year=True,
                         rd_sales_min=Decimal("0.03"), towns=(7,)), {7: "南明街道"})]
    assert lines == ["高新技术企业：认定", "当年首次认定（首次获得该资格）", "所在乡镇（街道）：南明街道",
                     "研发费用占销售收入比例 ≥3%"]
    assert [str(m) for m in describe_conditions(PolicyConditions())] == ["不限条件"]
