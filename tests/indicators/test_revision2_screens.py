"""Revision 2 where people meet it: loss-making firms on every input path, the new facts, 待定 with what is missing,
a valid status instead of a gap list, and 今年能否申报 judged on the batch's date."""

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.indicators.assessment import evaluate_firm
from pipeline.indicators.models import FirmFacts, FirmYear, Source
from pipeline.indicators.tiers import ApplicationDates, tier_for
from tests.indicators.conftest import GOOD_YEAR

FORM = {k: str(v) for k, v in GOOD_YEAR.items()}


def _net_assets(db, firm_id, source=Source.OFFICIAL):
    db.session.expire_all()
    return db.session.scalar(select(FirmYear.net_assets).where(FirmYear.firm_id == firm_id,
                                                               FirmYear.source == source.value))


def test_officer_saves_negative_net_assets_and_the_firm_is_evaluated(client, db, login_as, make_firm):
    firm = make_firm(registered_on=date(2019, 4, 12))
    login_as(Role.OFFICER)
    db.session.commit()
    response = client.post(f"/indicators/firms/{firm.id}/years/new",
                           data={"fiscal_year": "2025", **FORM, "net_assets": "-320.5"})
    assert response.status_code == 302
    assert str(_net_assets(db, firm.id)) == "-320.50"
    page = client.get(f"/indicators/firms/{firm.id}").get_data(as_text=True)
    assert "评价结果" in page and "无法评价" not in page
    still_refused = client.post(f"/indicators/firms/{firm.id}/years/2025", data={**FORM, "sales": "-1"})
    assert "不能为负数" in still_refused.get_data(as_text=True)


def test_a_firm_files_negative_net_assets_from_the_portal(client, db, login_as):
    user = login_as(Role.FIRM)
    response = client.post("/portal/figures/years/new", data={"fiscal_year": "2025", **FORM, "net_assets": "-80"})
    assert response.status_code == 302
    assert str(_net_assets(db, user.firm_id, Source.FIRM)) == "-80.00"


def test_facts_form_keeps_blank_conversions_unknown_and_saves_the_new_flags(client, db, login_as, make_firm):
    firm = make_firm()
    login_as(Role.OFFICER)
    response = client.post(f"/indicators/firms/{firm.id}/facts", data={
        "ip_class_i": "0", "ip_class_ii": "3", "hnte_domain": "新材料", "conversions_3y": "",
        "ip_acquired_only": "y", "deemed_taxation": "y"})
    assert response.status_code == 302
    facts = db.session.scalar(select(FirmFacts).where(FirmFacts.firm_id == firm.id))
    assert (facts.conversions_3y, facts.ip_acquired_only, facts.deemed_taxation) == (None, True, True)


def test_deemed_taxation_shows_its_gap_on_the_firm_page(client, db, login_as, make_firm, add_figures):
    firm = add_figures(make_firm(), facts={"deemed_taxation": True})
    db.session.commit()
    login_as(Role.OFFICER)
    page = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert "核定征收企业不能参加评价" in page


def test_portal_shows_undetermined_with_the_missing_year_and_a_link_to_file_it(client, db, login_as, make_firm,
                                                                               add_figures):
    firm = add_figures(make_firm(registered_on=date(2015, 3, 1)), years=(2023, 2025))
    db.session.commit()
    login_as(Role.FIRM, firm=firm)
    page = client.get("/portal/").get_data(as_text=True)
    assert "待定" in page and "缺少 2024 年度数据" in page
    assert 'href="/portal/figures/years/2024"' in page
    login_as(Role.OFFICER)
    officer_page = client.get(f"/indicators/firms/{firm.id}").get_data(as_text=True)
    assert f'href="/indicators/firms/{firm.id}/years/2024"' in officer_page


def _certify(db, place_firm, firm, code, expires_on):
    record = place_firm(firm, code, Stage.CERTIFIED)
    record.expires_on = expires_on
    db.session.commit()


def test_a_firm_holding_a_valid_status_is_not_told_what_it_lacks(client, db, login_as, make_firm, add_figures,
                                                                  place_firm):
    firm = add_figures(make_firm(), tech_staff=8)  # 8% tech staff: a 高企 gap it would otherwise be shown
    _certify(db, place_firm, firm, "hnte", date(2028, 5, 1))
    login_as(Role.FIRM, firm=firm)
    page = client.get("/portal/").get_data(as_text=True)
    assert "已认定，有效期至 2028-05-01" in page
    assert "差 3 人" not in page


def test_in_its_expiry_year_the_firm_sees_its_readiness_to_apply_again(db, make_firm, add_figures, place_firm):
    from pipeline.indicators.presenters import verdicts

    firm = add_figures(make_firm(), tech_staff=8)
    _certify(db, place_firm, firm, "hnte", date(2026, 12, 20))
    assessment = evaluate_firm(firm, date(2026, 6, 30))
    [hnte] = [v for v in verdicts(assessment) if v.track == "hnte"]
    assert hnte.renewal and hnte.holding == "已认定，有效期至 2026-12-20"
    assert any("差 3 人" in gap for gap in hnte.gaps)


def test_an_expired_status_no_longer_counts_as_held(db, make_firm, add_figures, place_firm):
    from pipeline.indicators.presenters import verdicts

    firm = add_figures(make_firm(), tech_staff=8)
    _certify(db, place_firm, firm, "tech_sme", date(2025, 12, 31))
    assessment = evaluate_firm(firm, date(2026, 6, 30))
    assert "tech_sme" not in assessment.holdings
    assert all(not v.holding for v in verdicts(assessment))


def test_can_apply_this_year_is_judged_on_the_next_batch_date(db, make_firm, add_figures):
    # Registered 2025-06-10: 365 days old on 2026-06-10, so not on 2026-04-30 but by 2026-07-31.
    firm = add_figures(make_firm(registered_on=date(2025, 6, 10)), years=(2025,))
    assessment = evaluate_firm(firm, date(2026, 4, 1))
    assert assessment.evaluation.hnte.verdict == "fail"  # judged today, the firm is too young
    spring = tier_for("hnte", assessment, ApplicationDates(date(2026, 4, 1), (date(2026, 4, 30), date(2026, 7, 31))))
    summer = tier_for("hnte", replace(assessment, today=date(2026, 5, 2)),
                      ApplicationDates(date(2026, 5, 2), (date(2026, 4, 30), date(2026, 7, 31))))
    closed = tier_for("hnte", assessment, ApplicationDates(date(2026, 8, 1), (date(2026, 4, 30), date(2026, 7, 31))))
    assert spring.can_apply == "否"
    assert summer.can_apply.startswith("能")
    assert closed.can_apply == "否（本年申报批次已截止）"


def test_can_apply_this_year_says_which_year_is_missing(db, make_firm, add_figures):
    firm = add_figures(make_firm(registered_on=date(2015, 3, 1)), years=(2024, 2025))
    tier = tier_for("hnte", evaluate_firm(firm, date(2026, 6, 30)))
    assert tier.can_apply == "待定（缺少 2023 年度数据）" and tier.code == "long_term"
