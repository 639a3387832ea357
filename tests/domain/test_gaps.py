from decimal import Decimal
from fractions import Fraction
from itertools import product

import pytest

from pipeline.domain.eligibility import assess, gaps, near_miss
from pipeline.domain.gaps import hnte_gaps, tech_sme_gaps
from pipeline.domain.hnte import evaluate_hnte
from pipeline.domain.profile import parse_profile
from pipeline.domain.score_options import Step, minimal_plans
from pipeline.domain.tech_sme import PASS_SCORE, evaluate_tech_sme


def gaps_of(profile, track):
    return [g for g in gaps(profile, assess(profile)) if g.track == track]


def _hnte_gap(profile, cid):
    found = [g for g in hnte_gaps(profile, evaluate_hnte(profile)) if g.condition == cid]
    assert len(found) == 1, found
    return found[0]


def test_tech_staff_gap_counts_whole_new_staff(make_profile):
    gap = _hnte_gap(make_profile(last={"employees": 120, "tech_staff": 10}), "tech_staff_ratio")
    assert gap.message == "科技人员占比 8.3%，需 ≥10%，差 3 人（新增科技人员）"
    assert (gap.track, gap.shortfall, gap.unit) == ("hnte", 3, "人")
    assert 13 * 10 >= 123 and 12 * 10 < 122   # 3 more reach 10%, 2 more would not


def test_rd_ratio_gap_in_wan_yuan(make_data):
    data = make_data()
    for year, sales, rd in (("2023", "1000", "100"), ("2024", "1000", "100"), ("2025", "7000", "124")):
        data["years"][year].update(sales=sales, rd=rd, rd_domestic=rd)
    gap = _hnte_gap(parse_profile(data), "rd_ratio")
    assert gap.message == "研发费用占比 3.6%，按销售收入档需 ≥4%，差 36 万元"
    assert (gap.shortfall, gap.unit) == (Decimal("36.00"), "万元")


def test_money_shortfalls_round_up_to_the_cent(make_data):
    data = make_data()
    for year, sales, rd in (("2023", "1000", "100"), ("2024", "1000", "100"), ("2025", "7000", "123.999")):
        data["years"][year].update(sales=sales, rd=rd, rd_domestic=rd)
    assert _hnte_gap(parse_profile(data), "rd_ratio").shortfall == Decimal("36.01")


def test_domestic_rd_gap_counts_the_added_spending_in_the_total(make_profile):
    gap = _hnte_gap(make_profile(every_year={"rd": "400", "rd_domestic": "200"}), "rd_domestic_share")
    assert gap.message == "境内研发费用占比 50%，需 ≥60%，差 300 万元（新增境内研发费用）"
    assert (gap.shortfall, gap.unit) == (Decimal("300.00"), "万元")
    assert Fraction(600 + 300, 1200 + 300) == Fraction(3, 5)


def test_high_tech_revenue_gap(make_profile):
    gap = _hnte_gap(make_profile(last={"total_revenue": "8000", "high_tech_revenue": "4000"}),
                    "high_tech_revenue_share")
    assert gap.shortfall == Decimal("2000.00")
    assert gap.message.startswith("高新技术产品(服务)收入占比 50%，需 ≥60%，差 2000 万元")


def test_registration_gap_in_days(make_data):
    data = make_data(registered_on="2025-07-01")
    gap = _hnte_gap(parse_profile(data), "registered_1y")
    assert gap.message == "注册成立未满 365 天（已 364 天），差 1 天"
    assert (gap.shortfall, gap.unit) == (1, "天")


def test_innovation_gap_names_the_missing_points(make_profile):
    expert = {"advancement": 8, "core_support": 8, "acquisition": 6, "standards": 2, "rd_management": 10}
    gap = _hnte_gap(make_profile(ip={"class_i": 1}, conversions_3y=15, expert=expert), "innovation_score")
    assert gap.message == "创新能力评价 65–70 分，最高也不足 71 分，差 1 分"


@pytest.mark.parametrize("cid, top, text", [
    ("domain", {"hnte_domain": None}, "未填写技术领域"),
    ("domain", {"hnte_domain": "纺织"}, "技术领域“纺织”不属于"),
    ("core_ip", {"ip": {"class_ii": 0}}, "需至少 1 件"),
    ("no_major_incident", {"flags": {"major_incident": True}}, "重大安全"),
])
def test_yes_no_conditions_have_a_plain_message(make_profile, cid, top, text):
    assert text in _hnte_gap(make_profile(**top), cid).message


@pytest.mark.parametrize("last, cid, message, shortfall", [
    ({"employees": 620}, "employees", "职工总数 620 人，需 ≤500 人，超 120 人", 120),
    ({"sales": "23000.5"}, "sales", "年销售收入 23000.5 万元，需 ≤20000 万元，超 3000.5 万元", Decimal("3000.5")),
    ({"total_assets": "20001"}, "total_assets", "资产总额 20001 万元，需 ≤20000 万元，超 1 万元", 1),
])
def test_tech_sme_size_gaps(make_profile, last, cid, message, shortfall):
    profile = make_profile(last=last)
    found = tech_sme_gaps(profile, evaluate_tech_sme(profile))
    assert [(g.condition, g.message, g.shortfall) for g in found] == [(cid, message, shortfall)]


def test_score_gap_states_the_score_and_the_smallest_plans(make_profile):
    # tech 20% → 12; R&D 2% of sales → 10 (2.9% of cost → 0); one Class II → 6: 28 points, 32 short.
    profile = make_profile(last={"sales": "10000", "rd": "200", "rd_domestic": "200"}, ip={"class_ii": 1})
    [gap] = tech_sme_gaps(profile, evaluate_tech_sme(profile))
    assert gap.condition == "score" and (gap.shortfall, gap.unit) == (32, "分")
    # Only R&D alone can close the gap: 6% of sales needs 600 − 200 = 400 万元 (30% of cost would need 2714.29).
    assert gap.message.startswith("评分 28 分（科技人员 12、研发 10、知识产权 6），需 ≥60 分，差 32 分。"
                                  "可行方案：研发费用占销售收入达 6%（增加研发费用 400 万元，+40 分）；或")


def test_score_gap_without_tech_staff_points(make_profile):
    profile = make_profile(last={"tech_staff": 9, "sales": "10000", "rd": "600", "rd_domestic": "600"},
                           ip={"class_i": 1})
    [gap] = tech_sme_gaps(profile, evaluate_tech_sme(profile))
    # 11/102 ≥ 10% but 10/101 < 10%: two new tech staff are needed.
    assert gap.message == ("评分 80 分（科技人员 0、研发 50、知识产权 30），需 ≥60 分；科技人员占比低于 10% 不得按评分入库。"
                           "可行方案：科技人员占比达 10%（新增科技人员 2 人，+4 分）")
    assert gap.shortfall is None


def _brute_force_minimal(tech, rd, ip):
    def ok(t, r, i):
        return tech[t].points > 0 and tech[t].points + rd[r].points + ip[i].points >= PASS_SCORE

    good = [c for c in product(range(len(tech)), range(len(rd)), range(len(ip))) if ok(*c)]
    return {c for c in good if not any(d != c and all(x <= y for x, y in zip(d, c, strict=True)) for d in good)}


@pytest.mark.parametrize("current", [(0, 0, 0), (4, 10, 6), (12, 10, 6), (0, 50, 30), (8, 0, 24), (20, 0, 0)])
def test_minimal_plans_are_exactly_the_undominated_qualifying_plans(current):
    def steps(now, ladder):
        return [Step(now)] + [Step(p, f"+{p}") for p in ladder if p > now]

    tech = steps(current[0], (4, 8, 12, 16, 20))
    rd = steps(current[1], (10, 20, 30, 40, 50))
    ip = steps(current[2], (6, 12, 18, 24, 30))
    plans = minimal_plans(tech, rd, ip)
    as_indices = {(tech.index(t), rd.index(r), ip.index(i)) for t, r, i in plans}
    assert as_indices == _brute_force_minimal(tech, rd, ip)
    assert len(as_indices) == len(plans)
    changed = [sum(s.text is not None for s in plan) for plan in plans]
    assert changed == sorted(changed)


def test_near_miss_is_exactly_one_condition_missed_by_a_small_margin(make_profile):
    strong = {"ip": {"class_i": 1}, "conversions_3y": 15}  # innovation up to 80: only the R&D share fails
    near_rd = make_profile(every_year={"rd": "300", "rd_domestic": "300"}, **strong)  # 3.75% where 4% is needed
    far_rd = make_profile(every_year={"rd": "100", "rd_domestic": "100"}, **strong)  # 1.25%
    two = make_profile(every_year={"rd": "300", "rd_domestic": "300"}, last={"high_tech_revenue": "4000"}, **strong)
    assert [g.condition for g in gaps_of(far_rd, "hnte")] == ["rd_ratio"]
    assert near_miss(gaps_of(near_rd, "hnte")) is True
    assert near_miss(gaps_of(far_rd, "hnte")) is False
    assert near_miss(gaps_of(two, "hnte")) is False
    assert near_miss([]) is False


@pytest.mark.parametrize("flag", ["dishonest_list", "restricted_industry", "major_incident", "deemed_taxation",
                                  "excluded_industry"])
def test_a_one_vote_veto_is_never_a_near_miss(make_profile, flag):
    found = gaps_of(make_profile(flags={flag: True}), "tech_sme")
    assert [g.condition for g in found] == [flag] and near_miss(found) is False


def test_gaps_cover_both_tracks(make_profile):
    profile = make_profile(flags={"major_incident": True})
    found = gaps(profile, assess(profile))
    assert ("tech_sme", "major_incident") in [(g.track, g.condition) for g in found]
    assert ("hnte", "no_major_incident") in [(g.track, g.condition) for g in found]
