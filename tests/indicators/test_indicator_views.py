"""Officers enter and confirm figures; leaders only read; the firm page shows the verdicts and the gaps."""

from datetime import date

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.indicators.models import FirmYear, Source, Status
from pipeline.indicators.services import submit_year
from tests.indicators.conftest import GOOD_YEAR, NOW

FORM = {k: str(v) for k, v in GOOD_YEAR.items()}


def years(db, firm, source=Source.OFFICIAL):
    return db.session.scalars(select(FirmYear).where(FirmYear.firm_id == firm.id, FirmYear.source == source.value)).all()


def test_officer_enters_a_year_and_sees_the_verdict(client, db, login_as, make_firm, add_figures):
    firm = make_firm(registered_on=date(2019, 4, 12))
    login_as(Role.OFFICER)
    db.session.commit()
    response = client.post(f"/indicators/firms/{firm.id}/years/new", data={"fiscal_year": "2025", **FORM})
    assert response.status_code == 302
    assert [row.fiscal_year for row in years(db, firm)] == [2025]
    page = client.get(f"/indicators/firms/{firm.id}").get_data(as_text=True)
    assert "评价结果" in page and "科技型中小企业" in page


def test_form_rerenders_with_chinese_errors_and_saves_nothing(client, db, login_as, make_firm):
    firm = make_firm()
    login_as(Role.OFFICER)
    response = client.post(f"/indicators/firms/{firm.id}/years/new",
                           data={"fiscal_year": "2025", **FORM, "tech_staff": "150", "sales": "八千"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "科技人员 150 人多于职工总数 100 人" in page and "不是数字" in page
    assert years(db, firm) == []


def test_editing_a_year_prefills_the_stored_figures(client, db, login_as, make_firm, add_figures):
    firm = add_figures(make_firm())
    db.session.commit()
    login_as(Role.OFFICER)
    page = client.get(f"/indicators/firms/{firm.id}/years/2025").get_data(as_text=True)
    assert 'value="8000"' in page
    client.post(f"/indicators/firms/{firm.id}/years/2025", data={**FORM, "sales": "8100.5"})
    db.session.expire_all()
    assert {row.fiscal_year: str(row.sales) for row in years(db, firm)}[2025] == "8100.50"


def test_facts_form_saves_ip_domain_flags_and_expert_scores(client, db, login_as, make_firm):
    from pipeline.indicators.models import FirmFacts

    firm = make_firm()
    login_as(Role.OFFICER)
    response = client.post(f"/indicators/firms/{firm.id}/facts", data={
        "ip_class_i": "1", "ip_class_ii": "3", "hnte_domain": "电子信息", "conversions_3y": "4",
        "led_standard": "y", "expert_rd_management": "15"})
    assert response.status_code == 302
    facts = db.session.scalar(select(FirmFacts).where(FirmFacts.firm_id == firm.id))
    assert (facts.ip_class_ii, facts.hnte_domain, facts.led_standard, facts.expert_rd_management) == (3, "电子信息", True, 15)
    bad = client.post(f"/indicators/firms/{firm.id}/facts", data={"ip_class_i": "-1", "expert_advancement": "9"})
    assert "不能为负数" in bad.get_data(as_text=True) and "0–8" in bad.get_data(as_text=True)


def test_officer_confirms_a_pending_submission(client, db, login_as, make_firm, make_user):
    firm = make_firm()
    submit_year(firm, 2025, GOOD_YEAR, actor=make_user(Role.FIRM, firm_id=firm.id), now=NOW)
    db.session.commit()
    login_as(Role.OFFICER)
    page = client.get(f"/indicators/firms/{firm.id}").get_data(as_text=True)
    assert "企业填报待核实" in page and "待核实" in page
    assert "2025" in client.get("/indicators/pending").get_data(as_text=True)
    assert client.post(f"/indicators/firms/{firm.id}/submissions/2025/confirm").status_code == 302
    db.session.expire_all()
    assert [row.fiscal_year for row in years(db, firm)] == [2025]
    assert years(db, firm, Source.FIRM)[0].status == Status.CONFIRMED.value
    again = client.post(f"/indicators/firms/{firm.id}/submissions/2025/confirm", follow_redirects=True)
    assert "已处理" in again.get_data(as_text=True)


def test_officer_rejects_a_submission_with_a_note(client, db, login_as, make_firm, make_user):
    firm = make_firm()
    submit_year(firm, 2025, GOOD_YEAR, actor=make_user(Role.FIRM, firm_id=firm.id), now=NOW)
    db.session.commit()
    login_as(Role.OFFICER)
    client.post(f"/indicators/firms/{firm.id}/submissions/2025/reject", data={"note": "请附审计报告"})
    db.session.expire_all()
    row = years(db, firm, Source.FIRM)[0]
    assert (row.status, row.review_note) == (Status.REJECTED.value, "请附审计报告")
    assert years(db, firm) == []


def test_leader_reads_but_cannot_change_figures(client, db, login_as, make_firm, make_user):
    firm = make_firm()
    submit_year(firm, 2025, GOOD_YEAR, actor=make_user(Role.FIRM, firm_id=firm.id), now=NOW)
    db.session.commit()
    login_as(Role.LEADER)
    page = client.get(f"/indicators/firms/{firm.id}").get_data(as_text=True)
    assert "核实并采用" not in page and "录入年度指标" not in page
    assert client.post(f"/indicators/firms/{firm.id}/years/new", data={"fiscal_year": "2025", **FORM}).status_code == 403
    assert client.post(f"/indicators/firms/{firm.id}/submissions/2025/confirm").status_code == 403


def test_officer_limited_to_towns_cannot_reach_other_towns_figures(client, db, login_as, make_firm, make_town):
    inside, outside = make_town("南明街道"), make_town("回山镇")
    firm = make_firm(town=outside)
    login_as(Role.OFFICER, towns=[inside])
    assert client.get(f"/indicators/firms/{firm.id}").status_code == 404
    assert client.post(f"/indicators/firms/{firm.id}/years/new", data={"fiscal_year": "2025", **FORM}).status_code == 404


def test_firm_page_shows_verdicts_and_gaps(client, db, login_as, make_firm, add_figures):
    firm = add_figures(make_firm(), tech_staff=8)
    db.session.commit()
    login_as(Role.OFFICER)
    page = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert "评价与差距" in page and "科技人员占比 8%，需 ≥10%，差 3 人" in page


def test_firm_page_explains_missing_figures(client, db, login_as, make_firm):
    firm = make_firm()
    login_as(Role.OFFICER)
    assert "缺少 " in client.get(f"/firms/{firm.id}").get_data(as_text=True)
