"""Figures in two versions, and the evaluation built from the confirmed ones only."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from pipeline.domain.eligibility import assess
from pipeline.domain.profile import parse_profile
from pipeline.indicators.models import FirmYear, Origin, Source, Status
from pipeline.indicators.services import (
    FiguresError,
    build_profile,
    confirm_submission,
    evaluate_firm,
    reject_submission,
    save_year,
    submit_facts,
    submit_year,
)
from tests.indicators.conftest import GOOD_YEAR, NOW, TODAY


def official(db, firm, year):
    return db.session.scalar(select(FirmYear).where(FirmYear.firm_id == firm.id, FirmYear.fiscal_year == year,
                                                    FirmYear.source == Source.OFFICIAL.value))


def test_saving_a_year_stores_exact_amounts_and_replaces_the_year(db, make_firm):
    firm = make_firm()
    save_year(firm, 2025, {**GOOD_YEAR, "sales": "8,200.35"}, actor=None, now=NOW)
    save_year(firm, 2025, {**GOOD_YEAR, "sales": "8200.36"}, actor=None, now=NOW)
    db.session.expire_all()
    row = official(db, firm, 2025)
    assert row.sales == Decimal("8200.36")
    assert db.session.scalar(select(FirmYear.id).where(FirmYear.firm_id == firm.id).limit(2)) is not None
    assert len(db.session.scalars(select(FirmYear).where(FirmYear.firm_id == firm.id)).all()) == 1


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"tech_staff": 101}, "tech_staff", "多于职工总数"),
    ({"employees": 0, "tech_staff": 0}, "employees", "必须大于 0"),
    ({"sales": "-1"}, "sales", "不能为负数"),
    ({"sales": "12.345"}, "sales", "两位小数"),
    ({"rd": "abc"}, "rd", "不是数字"),
    ({"employees": "10.5"}, "employees", "应为整数"),
    ({"rd_domestic": "500"}, "rd_domestic", "不能大于研发费用"),
    ({"high_tech_revenue": "9000"}, "high_tech_revenue", "不能大于总收入"),
    ({"net_assets": None}, "net_assets", "请填写"),
])
def test_bad_figures_are_refused_with_a_chinese_message_on_the_field(db, make_firm, change, field, words):
    firm = make_firm()
    with pytest.raises(FiguresError) as caught:
        save_year(firm, 2025, {**GOOD_YEAR, **change}, actor=None, now=NOW)
    assert words in caught.value.errors[field]
    assert official(db, firm, 2025) is None


def test_blank_domestic_rd_means_all_rd_was_domestic(db, make_firm):
    firm = make_firm()
    save_year(firm, 2025, {**GOOD_YEAR, "rd_domestic": ""}, actor=None, now=NOW)
    assert official(db, firm, 2025).rd_domestic == GOOD_YEAR["rd"]


def test_a_future_fiscal_year_is_refused(db, make_firm):
    with pytest.raises(FiguresError) as caught:
        save_year(make_firm(), NOW.year + 1, GOOD_YEAR, actor=None, now=NOW)
    assert "fiscal_year" in caught.value.errors


def test_firm_submission_stays_pending_and_is_not_evaluated_until_confirmed(db, make_firm, make_user):
    firm = make_firm(registered_on=date(2019, 4, 12))
    firm_user, officer = make_user("firm", firm_id=firm.id), make_user("officer")
    submission = submit_year(firm, 2025, GOOD_YEAR, actor=firm_user, now=NOW)
    assert submission.status == Status.PENDING.value and submission.source == Source.FIRM.value
    assert official(db, firm, 2025) is None
    assert not evaluate_firm(firm, TODAY).ok

    confirm_submission(submission, actor=officer, now=NOW)
    row = official(db, firm, 2025)
    assert row.origin == Origin.FIRM.value and row.updated_by == officer
    assert submission.status == Status.CONFIRMED.value and submission.reviewed_by == officer
    assert evaluate_firm(firm, TODAY).ok
    with pytest.raises(FiguresError):
        confirm_submission(submission, actor=officer, now=NOW)


def test_both_versions_are_kept_when_the_firm_submits_other_figures(db, make_firm, make_user, add_figures):
    firm = add_figures(make_firm())
    submission = submit_year(firm, 2025, {**GOOD_YEAR, "sales": "9999"}, actor=make_user("firm", firm_id=firm.id),
                             now=NOW)
    assert official(db, firm, 2025).sales == Decimal("8000")
    assert submission.sales == Decimal("9999")
    reject_submission(submission, actor=make_user("officer"), now=NOW, note="数据与审计报告不符")
    assert submission.status == Status.REJECTED.value and submission.review_note == "数据与审计报告不符"
    assert official(db, firm, 2025).sales == Decimal("8000")


def test_a_firm_cannot_submit_flags_or_expert_scores(db, make_firm, make_user):
    firm = make_firm()
    row = submit_facts(firm, {"ip_class_i": 2, "major_incident": True, "expert_rd_management": 20},
                       actor=make_user("firm", firm_id=firm.id), now=NOW)
    assert row.ip_class_i == 2 and row.major_incident is False and row.expert_rd_management is None


def test_the_evaluation_equals_the_engine_on_the_same_profile(db, make_firm, add_figures):
    firm = add_figures(make_firm(registered_on=date(2019, 4, 12)))
    built = build_profile(firm, TODAY)
    same = parse_profile({
        "registered_on": "2019-04-12", "as_of": TODAY.isoformat(),
        "years": {str(y): {k: str(v) for k, v in GOOD_YEAR.items()} for y in (2023, 2024, 2025)},
        "ip": {"class_i": 1, "class_ii": 6}, "hnte_domain": "新材料", "conversions_3y": 12,
    })
    assert assess(built) == assess(same)
    result = evaluate_firm(firm, TODAY)
    assert result.evaluation == assess(same)
    assert result.evaluation.tech_sme.eligible and result.evaluation.hnte.verdict == "possible"
    assert not result.stale and result.data_year == 2025


def test_without_last_years_figures_the_year_before_is_used_and_marked(db, make_firm, add_figures):
    firm = add_figures(make_firm(), years=(2023, 2024))
    result = evaluate_firm(firm, TODAY)
    assert result.ok and result.stale and result.data_year == 2024


def test_missing_figures_explain_themselves(db, make_firm, add_figures):
    assert "2025" in evaluate_firm(make_firm(), TODAY).problem
    assert "成立日期" in evaluate_firm(add_figures(make_firm(registered_on=None)), TODAY).problem


def test_gaps_say_what_is_missing(db, make_firm, add_figures):
    firm = add_figures(make_firm(), tech_staff=8, facts={"ip_class_i": 0, "ip_class_ii": 0})
    result = evaluate_firm(firm, TODAY)
    messages = [gap.message for gap in result.gaps_for("hnte")]
    assert any("科技人员占比 8%，需 ≥10%，差 3 人" in m for m in messages), messages
    assert result.gaps_for("tech_sme")


def test_a_valid_hnte_certificate_is_a_direct_route_to_tech_sme(db, make_firm, add_figures):
    from pipeline.domain.stages import Stage
    from pipeline.funnel.models import FirmTrack, Track

    firm = add_figures(make_firm(), tech_staff=5, facts={"ip_class_i": 0, "ip_class_ii": 0})
    assert not evaluate_firm(firm, TODAY).evaluation.tech_sme.eligible
    hnte = db.session.scalar(select(Track).where(Track.code == "hnte"))
    db.session.add(FirmTrack(firm_id=firm.id, track_id=hnte.id, stage=Stage.CERTIFIED, certified_on=date(2024, 1, 1),
                             expires_on=date(2027, 1, 1), certificate_number="GR202433000001"))
    db.session.flush()
    result = evaluate_firm(firm, TODAY).evaluation.tech_sme
    assert result.eligible and result.route == "direct"


def test_bulk_assessment_uses_a_fixed_number_of_queries(db, make_firm, add_figures, count_queries):
    from pipeline.indicators.services import assess_firms

    few = [add_figures(make_firm()).id for _ in range(2)]
    many = [add_figures(make_firm()).id for _ in range(8)]
    with count_queries() as small:
        assert len(assess_firms(few, TODAY)) == 2
    with count_queries() as large:
        assert len(assess_firms(few + many, TODAY)) == 10
    assert small.count == large.count <= 5  # firms, years, facts, valid statuses, IP items


def test_the_engine_gives_reminders_their_hnte_verdicts(app, db, make_firm, add_figures):
    from pipeline.reminders.verdicts import hnte_verdicts

    good = add_figures(make_firm())
    weak = add_figures(make_firm(), facts={"hnte_domain": "其他"})
    bare = make_firm()
    assert hnte_verdicts([good.id, weak.id, bare.id], TODAY) == {good.id: "possible", weak.id: "fail"}


def test_demo_figures_are_believable_and_seeded_once(db, make_firm, make_user):
    from pipeline.indicators.demo import seed_figures
    from pipeline.indicators.services import assess_firms

    firms = [make_firm() for _ in range(30)]
    assert seed_figures(TODAY, NOW) == 30
    assert seed_figures(TODAY, NOW) == 0
    results = assess_firms([f.id for f in firms], TODAY)
    assert all(r.ok and not r.stale for r in results.values())
    assert {r.evaluation.tech_sme.eligible for r in results.values()} == {True, False}
