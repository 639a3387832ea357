"""IP items and their reuse: Class II used in an earlier successful 高企 application no longer counts for 高企
(工作指引: 按Ⅱ类评价的知识产权在申请高新技术企业时，仅限使用一次); Class I does, and 科小 counts everything."""

from dataclasses import replace
from datetime import date

import pytest

from pipeline.domain.eligibility import assess, evaluate, gaps
from pipeline.domain.hnte import evaluate_hnte
from pipeline.domain.innovation import ip_range
from pipeline.domain.ip import IpItem, IpKind, ip_class, ip_counts
from pipeline.domain.profile import IpCounts
from pipeline.domain.tech_sme import evaluate_tech_sme

AS_OF = date(2026, 6, 30)
USED_2023 = date(2023, 12, 8)


def items(*specs) -> list[IpItem]:
    """(kind, used_on) pairs, granted in 2022, made by the firm itself."""
    return [IpItem(kind, date(2022, 3, 1), used_on=used) for kind, used in specs]


def test_each_kind_has_the_class_of_the_rules():
    assert {kind for kind in IpKind if ip_class(kind) == 1} == {
        IpKind.INVENTION, IpKind.PLANT_VARIETY, IpKind.CROP_VARIETY, IpKind.NEW_DRUG, IpKind.TCM_VARIETY,
        IpKind.IC_LAYOUT}
    assert {kind for kind in IpKind if ip_class(kind) == 2} == {IpKind.UTILITY_MODEL, IpKind.DESIGN, IpKind.SOFTWARE}


def test_used_class_ii_is_counted_and_listed_as_spent_per_recognition_year():
    counts = ip_counts(items((IpKind.UTILITY_MODEL, USED_2023), (IpKind.SOFTWARE, USED_2023),
                             (IpKind.DESIGN, date(2020, 11, 2)), (IpKind.UTILITY_MODEL, None),
                             (IpKind.INVENTION, USED_2023)), AS_OF)
    assert counts == IpCounts(class_i=1, class_ii=4, acquired_only=False, spent_class_ii=((2020, 1), (2023, 2)))
    assert counts.spent == 3
    assert counts.for_hnte() == IpCounts(class_i=1, class_ii=1)  # the used invention patent still counts


def test_items_granted_or_used_after_the_evaluation_date_do_not_count_yet():
    later = [IpItem(IpKind.UTILITY_MODEL, date(2026, 7, 1)), IpItem(IpKind.SOFTWARE, date(2022, 1, 1),
                                                                     used_on=date(2026, 11, 20))]
    assert ip_counts(later, AS_OF) == IpCounts(class_i=0, class_ii=1)  # the software: used only in November
    assert ip_counts(later, date(2026, 12, 1)).for_hnte() == IpCounts(class_i=0, class_ii=1)


def test_acquired_only_looks_at_the_items_a_hnte_application_may_still_count():
    own_but_spent = IpItem(IpKind.UTILITY_MODEL, date(2021, 1, 1), acquired=False, used_on=USED_2023)
    bought = IpItem(IpKind.SOFTWARE, date(2024, 1, 1), acquired=True)
    assert ip_counts([own_but_spent, bought], AS_OF).acquired_only is True
    assert ip_counts([replace(own_but_spent, used_on=None), bought], AS_OF).acquired_only is False
    assert ip_counts([own_but_spent], AS_OF).acquired_only is False  # nothing left to count


@pytest.fixture
def reused(make_profile):
    """Six Class II: four used in the 2023 recognition, two unused; no Class I."""
    def make(**kw):
        profile = make_profile(**kw)
        counts = ip_counts(items(*[(IpKind.UTILITY_MODEL, USED_2023)] * 4, *[(IpKind.SOFTWARE, None)] * 2), AS_OF)
        return replace(profile, ip=counts)
    return make


def test_hnte_counts_only_the_unused_class_ii_and_tech_sme_counts_all(reused, make_profile):
    profile = reused()
    assert ip_range(profile) == ip_range(replace(profile, ip=IpCounts(class_ii=2)))  # quantity 1–2, not 5–6
    assert ip_range(profile, profile.ip) == ip_range(replace(profile, ip=IpCounts(class_ii=6)))
    assert evaluate_hnte(profile).conditions["core_ip"].value == "2"
    assert evaluate_tech_sme(profile).points.ip == 24  # ≥4 Class II: reuse is a 高企 rule only


def test_all_class_ii_spent_fails_core_ip_with_the_reason(make_profile):
    profile = replace(make_profile(), ip=ip_counts(items(*[(IpKind.UTILITY_MODEL, USED_2023)] * 2), AS_OF))
    result = evaluate_hnte(profile)
    assert "core_ip" in result.failed and result.conditions["core_ip"].value == "0"
    [gap] = [g for g in gaps(profile, assess(profile)) if g.condition == "core_ip"]
    assert gap.message == ("尚无可用于本次申报的 I 类或 II 类知识产权，需至少 1 件："
                           "2 件 II 类知识产权已用于 2023 年高企认定，不能再次使用")
    assert (gap.shortfall, gap.near) == (1, True)


def test_the_innovation_gap_says_what_the_spent_class_ii_cost(reused):
    profile = reused(conversions_3y=0, expert={"advancement": 2, "core_support": 2, "standards": 0,
                                               "rd_management": 4, "acquisition": 3})
    result = evaluate_hnte(profile)
    assert "innovation_score" in result.failed
    [gap] = [g for g in gaps(profile, assess(profile)) if g.condition == "innovation_score"]
    assert gap.message.endswith("；4 件 II 类知识产权已用于 2023 年高企认定，不能再次使用（少计最多 4 分）")


def test_no_reuse_sentence_when_the_spent_items_cost_nothing(make_profile):
    # One invention patent already gives the quantity part its top band: the spent utility models change nothing.
    counts = ip_counts(items((IpKind.INVENTION, USED_2023), (IpKind.UTILITY_MODEL, USED_2023)), AS_OF)
    profile = replace(make_profile(conversions_3y=0, expert={"advancement": 0, "core_support": 0, "standards": 0,
                                                             "rd_management": 0, "acquisition": 1}), ip=counts)
    [gap] = [g for g in gaps(profile, assess(profile)) if g.condition == "innovation_score"]
    assert "已用于" not in gap.message


def test_counts_without_items_evaluate_exactly_as_before(make_data):
    from pipeline.domain.profile import parse_profile

    data = make_data(ip={"class_i": 0, "class_ii": 6, "acquired_only": True})
    profile = parse_profile(data)
    assert profile.ip.spent_class_ii == () and profile.ip.for_hnte() is profile.ip
    result = evaluate(profile)
    assert result["hnte"]["innovation"]["parts"]["ip"] == [6, 27]  # 0–8 + 0–8 + 5–6 + 1–3 + 0–2
    assert result["tech_sme"]["points"]["ip"] == 24
