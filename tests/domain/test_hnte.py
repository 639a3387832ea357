from decimal import Decimal
from fractions import Fraction

import pytest

from pipeline.domain.hnte import DOMAINS, evaluate_hnte
from pipeline.domain.innovation import (
    conversion_range,
    growth_band,
    growth_rate,
    ip_range,
    quantity_range,
)
from pipeline.domain.profile import parse_profile


def _condition(profile, cid):
    return evaluate_hnte(profile).conditions[cid]


def test_base_firm_meets_every_condition_except_perhaps_the_score(make_profile):
    result = evaluate_hnte(make_profile())
    assert result.failed in ((), ("innovation_score",))
    assert all(c.passed for cid, c in result.conditions.items() if cid != "innovation_score")
    assert list(result.conditions) == ["registered_1y", "core_ip", "domain", "tech_staff_ratio", "rd_ratio",
                                       "rd_domestic_share", "high_tech_revenue_share", "no_major_incident",
                                       "innovation_score"]
    assert result.period == (2023, 2024, 2025) and result.missing_years == ()


@pytest.mark.parametrize("tech_staff, passed", [(100, True), (99, False)])
def test_tech_staff_ratio_edge(make_profile, tech_staff, passed):
    condition = _condition(make_profile(last={"employees": 1000, "tech_staff": tech_staff}), "tech_staff_ratio")
    assert (condition.passed, condition.threshold) == (passed, "0.10")
    assert condition.value == ("0.1000" if passed else "0.0990")


@pytest.mark.parametrize("sales, threshold", [
    ("5000", "0.05"), ("5000.01", "0.04"), ("20000", "0.04"), ("20000.01", "0.03"), ("0", "0.05"),
])
def test_rd_ratio_threshold_follows_sales_of_the_last_year(make_profile, sales, threshold):
    assert _condition(make_profile(last={"sales": sales}), "rd_ratio").threshold == threshold


@pytest.mark.parametrize("sales, rate", [("5000", "0.05"), ("5000.01", "0.04"), ("20000", "0.04"),
                                         ("20000.01", "0.03")])
@pytest.mark.parametrize("shortfall, passed", [("0", True), ("0.0001", False)])
def test_rd_ratio_is_met_exactly_on_the_band_and_missed_just_below(make_profile, sales, rate, shortfall, passed):
    rd = str(Decimal(sales) * Decimal(rate))
    last_rd = str(Decimal(rd) - Decimal(shortfall))
    profile = make_profile(every_year={"sales": sales, "rd": rd, "rd_domestic": rd},
                           last={"rd": last_rd, "rd_domestic": last_rd})
    assert _condition(profile, "rd_ratio").passed is passed


def test_rd_ratio_sums_over_the_whole_period(make_profile):
    # 2023–2024: 8%, 2025: 2%; Σ 720 / Σ 12000 = 6% ≥ 5%... but sales 4000 → 5% band.
    profile = make_profile(every_year={"sales": "4000", "rd": "320", "rd_domestic": "320"},
                           last={"rd": "80", "rd_domestic": "80"})
    condition = _condition(profile, "rd_ratio")
    assert (condition.passed, condition.value, condition.threshold) == (True, "0.0600", "0.05")


@pytest.mark.parametrize("last_domestic, passed", [("240", True), ("239.99", False)])
def test_rd_domestic_share_edge(make_profile, last_domestic, passed):
    profile = make_profile(every_year={"rd": "400", "rd_domestic": "240"}, last={"rd_domestic": last_domestic})
    condition = _condition(profile, "rd_domestic_share")
    assert (condition.passed, condition.threshold) == (passed, "0.60")


@pytest.mark.parametrize("high_tech, passed", [("4800", True), ("4799.99", False)])
def test_high_tech_revenue_share_edge(make_profile, high_tech, passed):
    profile = make_profile(last={"total_revenue": "8000", "high_tech_revenue": high_tech})
    assert _condition(profile, "high_tech_revenue_share").passed is passed


def test_high_tech_revenue_share_uses_only_the_last_year(make_profile):
    profile = make_profile(every_year={"high_tech_revenue": "0"}, last={"high_tech_revenue": "6000"})
    assert _condition(profile, "high_tech_revenue_share").passed is True


@pytest.mark.parametrize("registered_on, as_of, passed", [
    ("2025-06-30", "2026-06-30", True),    # 365 days
    ("2025-07-01", "2026-06-30", False),   # 364 days: one day short
    ("2024-02-29", "2025-02-28", True),    # 365 days
    ("2024-02-29", "2025-02-27", False),
    ("2024-03-01", "2025-02-28", False),   # 364 days
    ("2027-02-28", "2028-02-29", True),    # 366 days
    ("2027-03-01", "2028-02-29", True),    # 365 days across 29 Feb, a day before "the same date next year"
    ("2027-03-02", "2028-02-29", False),   # 364 days
    ("2023-03-01", "2024-02-29", True),    # the leap-year case the old anniversary rule refused
])
def test_registered_one_year_edges(make_data, registered_on, as_of, passed):
    year = int(as_of[:4]) - 1
    data = make_data(registered_on=registered_on, as_of=as_of)
    data["years"] = {str(year): data["years"]["2025"]}
    condition = evaluate_hnte(parse_profile(data)).conditions["registered_1y"]
    assert condition.passed is passed
    assert condition.value == registered_on


@pytest.mark.parametrize("ip, passed", [({"class_i": 0, "class_ii": 0}, False), ({"class_ii": 1}, True),
                                        ({"class_i": 1, "class_ii": 0}, True)])
def test_core_ip_needs_one_class_i_or_ii(make_profile, ip, passed):
    assert _condition(make_profile(ip=ip), "core_ip").passed is passed


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_of_the_eight_domains_passes(make_profile, domain):
    assert _condition(make_profile(hnte_domain=domain), "domain").passed is True


@pytest.mark.parametrize("domain", [None, "", "传统机械制造"])
def test_other_or_missing_domains_fail(make_profile, domain):
    assert _condition(make_profile(hnte_domain=domain), "domain").passed is False


def test_major_incident_fails(make_profile):
    result = evaluate_hnte(_verdict_profile(make_profile, 20, flags={"major_incident": True}))
    assert result.failed == ("no_major_incident",) and result.verdict == "fail"


# --- innovation capability -------------------------------------------------------------------------------


@pytest.mark.parametrize("class_i, class_ii, expected", [
    (1, 0, (7, 8)), (0, 6, (5, 6)), (0, 5, (5, 6)), (0, 4, (3, 4)), (0, 3, (3, 4)), (0, 2, (1, 2)),
    (0, 1, (1, 2)), (0, 0, (0, 0)),
])
def test_ip_quantity_ranges(class_i, class_ii, expected):
    assert quantity_range(class_i, class_ii) == expected


def test_acquisition_is_zero_without_ip_whatever_the_expert_says(make_profile):
    expert = {"advancement": 5, "core_support": 5, "acquisition": 6, "standards": 1}
    assert ip_range(make_profile(ip={"class_ii": 0}, expert=expert)) == (11, 11)
    assert ip_range(make_profile(ip={"class_ii": 1}, expert=expert)) == (18, 19)


def test_acquisition_range_is_one_to_six_with_ip_and_no_expert(make_profile):
    expert = {"advancement": 5, "core_support": 5, "standards": 1}
    assert ip_range(make_profile(ip={"class_ii": 1}, expert=expert)) == (13, 19)


def test_ip_part_without_expert_scores_is_the_full_range_capped_at_30(make_profile):
    assert ip_range(make_profile(ip={"class_i": 1})) == (8, 30)
    full = {"advancement": 8, "core_support": 8, "acquisition": 6, "standards": 2}
    assert ip_range(make_profile(ip={"class_i": 1}, expert=full)) == (30, 30)


@pytest.mark.parametrize("conversions, years, expected", [
    (15, 3, (25, 30)), (14, 3, (19, 24)), (12, 3, (19, 24)), (11, 3, (13, 18)), (9, 3, (13, 18)),
    (8, 3, (7, 12)), (6, 3, (7, 12)), (5, 3, (1, 6)), (3, 3, (1, 6)), (2, 3, (0, 0)), (0, 3, (0, 0)),
    (5, 1, (25, 30)), (4, 2, (7, 12)), (1, 2, (0, 0)),
])
def test_conversion_bands_use_the_yearly_average(conversions, years, expected):
    assert conversion_range(conversions, years) == expected


@pytest.mark.parametrize("values, rate", [
    (["100", "150", "180"], Fraction(35, 100)),        # ½(1.5 + 1.2) − 1
    (["100", "110", "132"], Fraction(15, 100)),        # ½(1.1 + 1.2) − 1: 0.1499… in floats
    (["0", "100", "150"], Fraction(1, 2)),             # y1 = 0: y3/y2 − 1
    (["100", "0", "150"], None),                       # y2 = 0: 0 points
    (["0", "0", "150"], None),
    (["100", "135"], Fraction(35, 100)),               # two years
    (["0", "100"], None),                              # two years, y1 = 0
    (["100"], None),                                   # one year
])
def test_growth_rate_special_cases(values, rate):
    assert growth_rate([Decimal(v) for v in values]) == rate


@pytest.mark.parametrize("later, expected", [
    ("135", (9, 10)), ("134.99", (7, 8)), ("125", (7, 8)), ("124.99", (5, 6)), ("115", (5, 6)),
    ("114.99", (3, 4)), ("105", (3, 4)), ("104.99", (1, 2)), ("100.01", (1, 2)), ("100", (0, 0)),
    ("90", (0, 0)),
])
def test_growth_bands_are_inclusive_and_zero_growth_scores_nothing(later, expected):
    assert growth_band(growth_rate([Decimal("100"), Decimal(later)])) == expected


def test_growth_with_no_rate_scores_nothing():
    assert growth_band(None) == (0, 0)


def test_growth_part_adds_net_assets_and_sales(make_data):
    data = make_data()
    for year, net, sales in ((2023, "100", "100"), (2024, "150", "110"), (2025, "180", "132")):
        data["years"][str(year)].update(net_assets=net, sales=sales)
    score = evaluate_hnte(parse_profile(data)).innovation
    assert (score.net_assets_growth, score.sales_growth) == (Fraction(35, 100), Fraction(15, 100))
    assert score.growth == (9 + 5, 10 + 6)


def test_young_firm_is_assessed_over_its_own_years(make_profile):
    result = evaluate_hnte(make_profile(registered_on="2024-03-01", conversions_3y=4,
                                        every_year={"net_assets": "100", "sales": "100"},
                                        last={"net_assets": "140", "sales": "100"}))
    assert result.period == (2024, 2025) and result.missing_years == ()
    assert result.innovation.conversion == (7, 12)                 # 4 ÷ 2 years = 2 per year
    assert result.innovation.net_assets_growth == Fraction(40, 100)  # two-year formula
    assert result.innovation.growth == (9, 10)


def test_firm_registered_in_the_data_year_has_one_year_and_no_growth(make_profile):
    result = evaluate_hnte(make_profile(registered_on="2025-01-10", conversions_3y=1,
                                        last={"net_assets": "9000", "sales": "9000"}))
    assert result.period == (2025,)
    assert result.innovation.growth == (0, 0)
    assert result.innovation.conversion == (1, 6)
    assert result.conditions["registered_1y"].passed is True


def test_a_gap_in_the_years_keeps_the_period_and_leaves_the_verdict_undetermined(make_data):
    data = make_data()
    del data["years"]["2024"]
    result = evaluate_hnte(parse_profile(data))
    assert result.period == (2023, 2024, 2025) and result.missing_years == (2024,)
    assert result.verdict == "undetermined"


# --- verdict ----------------------------------------------------------------------------------------------

FIXED_IP = {"advancement": 8, "core_support": 8, "acquisition": 6, "standards": 2}   # with Class I: 30


def _verdict_profile(make_profile, rd_management, conversions=15, **top):
    # IP exactly 30, growth exactly 0 (flat figures), conversion [25, 30] for 15 over 3 years.
    return make_profile(ip={"class_i": 1}, conversions_3y=conversions,
                        expert={**FIXED_IP, "rd_management": rd_management}, **top)


@pytest.mark.parametrize("rd_management, verdict, score_pass, bounds", [
    (16, "pass", True, (71, 76)),       # min exactly 71
    (15, "possible", None, (70, 75)),
    (11, "possible", None, (66, 71)),   # max exactly 71
    (10, "fail", False, (65, 70)),      # max below 71
])
def test_verdict_follows_the_innovation_range(make_profile, rd_management, verdict, score_pass, bounds):
    result = evaluate_hnte(_verdict_profile(make_profile, rd_management))
    assert (result.innovation.min, result.innovation.max) == bounds
    assert result.verdict == verdict
    assert result.conditions["innovation_score"].passed is score_pass
    assert result.failed == (("innovation_score",) if verdict == "fail" else ())


def test_any_failed_condition_fails_even_with_a_winning_score(make_profile):
    result = evaluate_hnte(_verdict_profile(make_profile, 20, hnte_domain="其他"))
    assert result.innovation.min >= 71
    assert (result.verdict, result.failed) == ("fail", ("domain",))


def test_failed_condition_and_low_score_are_both_listed(make_profile):
    result = evaluate_hnte(_verdict_profile(make_profile, 0, conversions=0, flags={"major_incident": True}))
    assert (result.verdict, result.failed) == ("fail", ("no_major_incident", "innovation_score"))
