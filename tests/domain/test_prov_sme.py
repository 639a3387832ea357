"""省级科技型中小企业: its own conditions and gaps (RULES.md §3), on the same profile as 科小 and 高企."""

from pipeline.domain.prov_sme import evaluate_prov_sme, prov_sme_gaps


def test_a_firm_meeting_every_condition_passes(make_profile):
    result = evaluate_prov_sme(make_profile())
    assert result.verdict == "pass" and result.failed == () and result.to_check == ()
    assert prov_sme_gaps(make_profile(), result) == []


def test_tech_staff_at_exactly_ten_percent_passes_and_below_says_how_many_people(make_profile):
    assert evaluate_prov_sme(make_profile(last={"employees": 100, "tech_staff": 10})).verdict == "pass"
    profile = make_profile(last={"employees": 101, "tech_staff": 10})
    result = evaluate_prov_sme(profile)
    assert result.failed == ("tech_staff_ratio",)
    [gap] = prov_sme_gaps(profile, result)
    assert gap.message == "科技人员 10 人，占职工 101 人的比例原则上需 ≥10%，差 1 人" and gap.near


def test_patent_applications_and_trademarks_count_so_no_granted_ip_is_to_be_checked(make_profile):
    profile = make_profile(ip={"class_i": 0, "class_ii": 0})
    result = evaluate_prov_sme(profile)
    assert (result.verdict, result.to_check) == ("possible", ("ip",))
    assert "专利申请、注册商标" in prov_sme_gaps(profile, result)[0].message


def test_registration_rd_size_and_one_vote_vetoes(make_profile):
    young = make_profile(registered_on="2025-08-01")
    assert evaluate_prov_sme(young).failed == ("registered_1y",)
    assert prov_sme_gaps(young, evaluate_prov_sme(young))[0].message == "注册未满一年，还差 32 天"
    assert evaluate_prov_sme(make_profile(registered_on="2025-06-30")).verdict == "pass"  # 365 days: met
    assert evaluate_prov_sme(make_profile(last={"rd": "0", "rd_domestic": "0"})).failed == ("rd_ongoing",)
    large = make_profile(last={"employees": 1000, "tech_staff": 200, "sales": "40000"})
    assert evaluate_prov_sme(large).failed == ("sme_size",)
    # 1000 people but 39999.99 万元: still an SME under the 工业 line (both must be reached)
    assert evaluate_prov_sme(make_profile(last={"employees": 1000, "tech_staff": 200, "sales": "39999.99"})
                             ).verdict == "pass"
    flagged = make_profile(flags={"major_incident": True, "dishonest_list": True})
    assert evaluate_prov_sme(flagged).failed == ("no_major_incident", "not_dishonest")
