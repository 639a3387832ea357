from fractions import Fraction

import pytest

from pipeline.domain.profile import IpCounts
from pipeline.domain.tech_sme import evaluate_tech_sme, ip_points, tech_staff_points


@pytest.mark.parametrize("tech_staff, points", [
    (60, 20), (59, 16),   # 30%
    (50, 16), (49, 12),   # 25%
    (40, 12), (39, 8),    # 20%
    (30, 8), (29, 4),     # 15%
    (20, 4), (19, 0),     # 10%
    (0, 0),
])
def test_tech_staff_bands_are_inclusive(tech_staff, points):
    assert tech_staff_points(Fraction(tech_staff, 200)) == points


@pytest.mark.parametrize("rd, points", [
    ("600", 50), ("599.99", 40),   # 6% of sales 10000
    ("500", 40), ("499.99", 30),   # 5%
    ("400", 30), ("399.99", 20),   # 4%
    ("300", 20), ("299.99", 10),   # 3%
    ("200", 10), ("199.99", 0),    # 2%
])
def test_rd_bands_by_sales(make_profile, rd, points):
    # Cost expense so large that the other measure scores nothing.
    profile = make_profile(last={"sales": "10000", "cost_expense": "1000000", "rd": rd, "rd_domestic": rd})
    assert evaluate_tech_sme(profile).points.rd == points


@pytest.mark.parametrize("rd, points", [
    ("300", 50), ("299.99", 40),   # 30% of cost expense 1000
    ("250", 40), ("249.99", 30),   # 25%
    ("200", 30), ("199.99", 20),   # 20%
    ("150", 20), ("149.99", 10),   # 15%
    ("100", 10), ("99.99", 0),     # 10%
])
def test_rd_bands_by_cost_expense(make_profile, rd, points):
    # Sales so large that the other measure scores nothing.
    profile = make_profile(last={"sales": "100000", "cost_expense": "1000", "rd": rd, "rd_domestic": rd})
    assert evaluate_tech_sme(profile).points.rd == points


def test_rd_takes_the_better_measure(make_profile):
    # 3% of sales (20 points) but 25% of cost expense (40 points).
    profile = make_profile(last={"sales": "10000", "cost_expense": "1200", "rd": "300", "rd_domestic": "300"})
    assert evaluate_tech_sme(profile).points.rd == 40


def test_rd_with_no_sales_uses_the_cost_measure(make_profile):
    profile = make_profile(last={"sales": "0", "cost_expense": "1000", "rd": "100", "rd_domestic": "100"})
    assert evaluate_tech_sme(profile).points.rd == 10


@pytest.mark.parametrize("class_i, class_ii, points", [
    (1, 0, 30), (2, 5, 30), (0, 10, 24), (0, 4, 24), (0, 3, 18), (0, 2, 12), (0, 1, 6), (0, 0, 0),
])
def test_ip_points(class_i, class_ii, points):
    assert ip_points(IpCounts(class_i, class_ii)) == points


def _scored(make_profile, tech_staff, ip=None, **top):
    # 200 employees; R&D 6% of sales = 50 points; one Class II = 6 points unless ip says otherwise.
    last = {"employees": 200, "tech_staff": tech_staff, "sales": "10000", "cost_expense": "100000",
            "rd": "600", "rd_domestic": "600"}
    return evaluate_tech_sme(make_profile(last=last, ip=ip or {"class_ii": 1}, **top))


def test_exactly_60_points_with_tech_staff_points_is_eligible_by_score(make_profile):
    result = _scored(make_profile, 20)
    assert (result.score, result.eligible, result.route, result.failed) == (60, True, "score", ())
    assert (result.year, result.data_year) == (2026, 2025)


def test_below_60_points_fails_on_score(make_profile):
    result = _scored(make_profile, 19)
    assert (result.score, result.eligible, result.route, result.failed) == (56, False, None, ("score",))


def test_high_score_without_tech_staff_points_is_not_eligible(make_profile):
    result = _scored(make_profile, 19, ip={"class_i": 1})
    assert result.score == 80 and result.points.tech_staff == 0
    assert (result.eligible, result.route, result.failed) == (False, None, ("score",))


@pytest.mark.parametrize("qualification", ["valid_hnte", "national_award_top3", "provincial_rd_institution",
                                           "led_standard"])
def test_any_direct_qualification_makes_a_low_scorer_eligible(make_profile, qualification):
    result = _scored(make_profile, 0, direct={qualification: True})
    assert (result.eligible, result.route, result.failed) == (True, "direct", ())


def test_direct_route_is_reported_even_when_the_score_also_qualifies(make_profile):
    assert _scored(make_profile, 20, direct={"valid_hnte": True}).route == "direct"


def test_direct_qualification_does_not_override_a_failed_basic_condition(make_profile):
    profile = make_profile(last={"employees": 501, "tech_staff": 200}, direct={"valid_hnte": True})
    result = evaluate_tech_sme(profile)
    assert (result.eligible, result.route, result.failed) == (False, None, ("employees",))


@pytest.mark.parametrize("field, ok, too_much", [
    ("employees", 500, 501),
    ("sales", "20000", "20000.01"),
    ("total_assets", "20000", "20000.01"),
])
def test_basic_size_limits_are_inclusive(make_profile, field, ok, too_much):
    direct = {"valid_hnte": True}  # so that only the basic condition decides
    assert evaluate_tech_sme(make_profile(last={field: ok}, direct=direct)).eligible
    result = evaluate_tech_sme(make_profile(last={field: too_much}, direct=direct))
    assert (result.eligible, result.failed) == (False, (field,))


@pytest.mark.parametrize("flag", ["restricted_industry", "major_incident", "dishonest_list"])
def test_each_flag_fails_its_basic_condition(make_profile, flag):
    result = evaluate_tech_sme(make_profile(flags={flag: True}))
    assert (result.eligible, result.route, result.failed) == (False, None, (flag,))


def test_score_is_computed_even_when_basics_fail_and_score_is_not_listed(make_profile):
    result = evaluate_tech_sme(make_profile(last={"sales": "30000", "total_assets": "30000"}, ip={"class_ii": 0},
                                            flags={"dishonest_list": True}))
    assert result.failed == ("sales", "total_assets", "dishonest_list")
    # tech 20% → 12; R&D 400/30000 = 1.3% and 400/7000 = 5.7% → 0; no IP → 0.
    assert (result.points.tech_staff, result.points.rd, result.points.ip, result.score) == (12, 0, 0, 12)


def test_only_the_year_before_counts(make_profile):
    profile = make_profile(every_year={"employees": 900, "tech_staff": 0}, last={"employees": 100, "tech_staff": 30})
    result = evaluate_tech_sme(profile)
    assert result.points.tech_staff == 20 and "employees" not in result.failed
