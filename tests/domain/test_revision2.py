"""RULES.md revision 2, edge by edge: missing years, unknown conversions, negative net assets, acquisition band,
the 2022 科小 conditions."""

import pytest

from pipeline.domain.eligibility import evaluate
from pipeline.domain.hnte import evaluate_hnte
from pipeline.domain.profile import parse_profile
from pipeline.domain.tech_sme import evaluate_tech_sme

STRONG = {"ip": {"class_i": 1}, "conversions_3y": 15,
          "expert": {"advancement": 8, "core_support": 8, "acquisition": 6, "standards": 2, "rd_management": 20}}


def _without(data, *years):
    for year in years:
        del data["years"][str(year)]
    return data


# --- missing years -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("registered_on, dropped, period, missing", [
    ("2015-05-01", (2023,), (2023, 2024, 2025), (2023,)),            # oldest year missing
    ("2015-05-01", (2024,), (2023, 2024, 2025), (2024,)),            # a hole in the middle
    ("2015-05-01", (2023, 2024), (2023, 2024, 2025), (2023, 2024)),  # only Y−1 on file
    ("2024-03-10", (2023, 2024), (2024, 2025), (2024,)),             # young firm: its period starts in 2024
    ("2023-01-05", (2024,), (2023, 2024, 2025), (2024,)),
])
def test_a_missing_year_of_the_period_makes_the_verdict_undetermined(make_data, registered_on, dropped, period,
                                                                     missing):
    data = _without(make_data(registered_on=registered_on, **STRONG), *dropped)
    out = evaluate(parse_profile(data))["hnte"]
    assert (tuple(out["period"]), tuple(out["missing_years"])) == (period, missing)
    assert out["verdict"] == "undetermined" and out["failed"] == []
    assert out["conditions"]["rd_ratio"]["pass"] is None and out["conditions"]["rd_domestic_share"]["pass"] is None
    assert out["conditions"]["rd_ratio"]["value"] is None
    assert out["innovation"]["parts"]["conversion"] == [0, 30] and out["innovation"]["parts"]["growth"] == [0, 20]


def test_the_issue_example_is_no_longer_told_it_may_pass(make_data):
    # Registered 2015, only 2025's figures: conversions used to be divided by 1 and the firm told "有望通过".
    data = _without(make_data(registered_on="2015-03-01", conversions_3y=5), 2023, 2024)
    result = evaluate_hnte(parse_profile(data))
    assert result.verdict == "undetermined" and result.missing_years == (2023, 2024)


def test_a_firm_registered_last_year_has_a_one_year_period_and_nothing_missing(make_data):
    data = _without(make_data(registered_on="2025-01-02", as_of="2026-06-30", **STRONG), 2023, 2024)
    result = evaluate_hnte(parse_profile(data))
    assert result.period == (2025,) and result.missing_years == () and result.verdict != "undetermined"


def test_a_computed_failure_still_fails_with_years_missing(make_data):
    data = _without(make_data(last={"tech_staff": 5}, **STRONG), 2024)
    result = evaluate_hnte(parse_profile(data))
    assert result.verdict == "fail" and result.failed == ("tech_staff_ratio",) and result.missing_years == (2024,)


def test_missing_years_cannot_rescue_a_score_whose_maximum_is_below_71(make_data):
    weak = {"ip": {"class_ii": 1}, "expert": {"advancement": 0, "core_support": 0, "acquisition": 1, "standards": 0,
                                              "rd_management": 0}}
    result = evaluate_hnte(parse_profile(_without(make_data(**weak), 2023)))
    assert result.innovation.max < 71
    assert result.verdict == "fail" and result.failed == ("innovation_score",)


# --- conversions: absent is unknown, zero is zero -------------------------------------------------------------

def test_absent_conversions_are_a_range_not_zero(make_data):
    data = make_data(**STRONG)
    del data["conversions_3y"]
    absent = evaluate_hnte(parse_profile(data))
    zero = evaluate_hnte(parse_profile(make_data(**{**STRONG, "conversions_3y": 0})))
    assert absent.innovation.conversion == (0, 30) and zero.innovation.conversion == (0, 0)
    # IP 30 + R&D organisation 20 + growth 0 (flat figures): 50–80 when unknown, 50 when none.
    assert absent.verdict == "possible" and zero.verdict == "fail"


def test_null_conversions_read_as_unknown(make_data):
    assert parse_profile(make_data(conversions_3y=None)).conversions_3y is None


# --- negative net assets ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("net, rate, growth", [
    ({2023: "-100", 2024: "1000", 2025: "1400"}, "0.4000", (9, 10)),  # y1 ≤ 0: y3/y2 − 1 = 40% (flat sales: 0)
    ({2023: "1000", 2024: "-100", 2025: "1400"}, None, (0, 0)),        # y2 ≤ 0 → 0 points
    ({2023: "1000", 2024: "1100", 2025: "-5"}, None, (0, 0)),          # y3 ≤ 0 → 0 points
    ({2023: "-300", 2024: "-200", 2025: "-100"}, None, (0, 0)),        # losses every year
])
def test_negative_net_assets_are_evaluated_with_the_growth_rules(make_data, net, rate, growth):
    data = make_data(**STRONG)
    for year, value in net.items():
        data["years"][str(year)]["net_assets"] = value
    out = evaluate(parse_profile(data))["hnte"]["innovation"]
    assert out["growth_rates"]["net_assets"] == rate and tuple(out["parts"]["growth"]) == growth


def test_a_young_firm_with_a_loss_in_its_first_year_scores_no_net_asset_growth(make_data):
    data = _without(make_data(registered_on="2024-02-01", **STRONG), 2023)
    data["years"]["2024"]["net_assets"] = "-50"
    result = evaluate_hnte(parse_profile(data))
    assert result.period == (2024, 2025) and result.innovation.net_assets_growth is None


def test_negative_net_assets_do_not_change_the_tech_sme_result(make_data):
    loss = evaluate_tech_sme(parse_profile(make_data(last={"net_assets": "-1200.50"})))
    profit = evaluate_tech_sme(parse_profile(make_data()))
    assert loss == profit


# --- acquisition band --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ip, expert_acquisition, band", [
    ({"class_ii": 2}, None, (1, 6)),
    ({"class_ii": 2, "acquired_only": True}, None, (1, 3)),
    ({"class_ii": 2, "acquired_only": True}, 5, (3, 3)),   # clamped down into 1–3
    ({"class_ii": 2}, 0, (1, 1)),                          # clamped up: any IP scores at least 1
    ({"class_ii": 0}, 5, (0, 0)),                          # no IP: 0 whatever the expert says
    ({"class_ii": 0, "acquired_only": True}, None, (0, 0)),
])
def test_acquisition_band_and_clamping(make_data, ip, expert_acquisition, band):
    from pipeline.domain.innovation import acquisition_range

    profile = parse_profile(make_data(ip=ip, expert={"acquisition": expert_acquisition}))
    assert acquisition_range(profile.ip, profile.expert.acquisition) == band


def test_acquired_only_must_be_a_boolean(make_data):
    from pipeline.domain.profile import ProfileError

    with pytest.raises(ProfileError) as caught:
        parse_profile(make_data(ip={"class_ii": 1, "acquired_only": "yes"}))
    assert caught.value.field == "ip.acquired_only"


# --- the 2022 科小 conditions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("flag, words", [
    ("deemed_taxation", "核定征收企业不能参加评价"),
    ("excluded_industry", "财税〔2015〕119号"),
])
def test_the_2022_conditions_fail_the_tech_sme_basics_with_their_gap(make_data, flag, words):
    out = evaluate(parse_profile(make_data(flags={flag: True}, direct={"valid_hnte": True})))
    assert out["tech_sme"]["eligible"] is False and out["tech_sme"]["failed"] == [flag]
    assert out["tech_sme"]["score"] > 0  # the score is still computed
    [gap] = [g for g in out["gaps"] if g["track"] == "tech_sme"]
    assert words in gap["message"] and gap["near"] is False


def test_the_2022_conditions_do_not_touch_the_hnte_verdict(make_data):
    plain = evaluate_hnte(parse_profile(make_data(**STRONG)))
    flagged = evaluate_hnte(parse_profile(make_data(flags={"deemed_taxation": True, "excluded_industry": True},
                                                    **STRONG)))
    assert plain.verdict == flagged.verdict
