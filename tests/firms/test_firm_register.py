"""Creating and editing firms, the edit log, the service ledger and the firm page."""

from datetime import timedelta

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.db import utcnow
from pipeline.demo import demo_credit_code
from pipeline.domain.stages import Stage
from pipeline.firms.models import Firm, FirmEdit, Industry, ServiceRecord
from pipeline.i18n import local_today


def firm_form(town, **kw):
    data = {"credit_code": demo_credit_code(4242).lower(), "name": "新昌测试精工有限公司", "town_id": town.id,
            "industry_id": "", "registered_on": "2019-04-12", "address": "新昌县南明街道1号", "legal_rep": "王建国",
            "contact_name": "李敏", "contact_phone": "13800000000", "contact_email": "li@example.com",
            "officer_id": "", "notes": ""}
    data.update(kw)
    return data


def test_officer_registers_a_firm_with_an_upper_cased_credit_code(client, db, login_as, make_town):
    officer = login_as(Role.OFFICER)
    town = make_town()
    db.session.commit()
    response = client.post("/firms/new", data=firm_form(town))
    assert response.status_code == 302
    firm = db.session.scalar(select(Firm).where(Firm.name == "新昌测试精工有限公司"))
    assert firm.credit_code == demo_credit_code(4242) and firm.registered_on.isoformat() == "2019-04-12"
    [created] = db.session.scalars(select(FirmEdit).where(FirmEdit.firm_id == firm.id))
    assert (created.field, created.user_id) == ("created", officer.id)


def test_bad_credit_code_is_refused_with_the_reason(client, db, login_as, make_town):
    login_as(Role.OFFICER)
    town = make_town()
    db.session.commit()
    code = demo_credit_code(4242)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post("/firms/new", data=firm_form(town, credit_code=wrong))
    assert response.status_code == 422 and "校验位错误" in response.get_data(as_text=True)
    response = client.post("/firms/new", data=firm_form(town, credit_code="91330624MA2BX5YW4I"))
    assert "第 18 位" in response.get_data(as_text=True)  # the position of the bad character
    assert db.session.scalar(select(Firm.id)) is None


def test_credit_code_must_be_unique(client, db, login_as, make_firm):
    login_as(Role.OFFICER)
    existing = make_firm()
    db.session.commit()
    response = client.post("/firms/new", data=firm_form(existing.town, credit_code=existing.credit_code))
    assert response.status_code == 422 and "已登记在另一家企业名下" in response.get_data(as_text=True)


def test_every_edit_is_logged_with_who_when_old_and_new(client, db, login_as, make_firm, make_town):
    officer = login_as(Role.OFFICER)
    firm = make_firm(name="旧名有限公司", contact_phone="111")
    other_town = make_town("回山镇")
    db.session.commit()
    data = firm_form(other_town, credit_code=firm.credit_code, name="新名有限公司", contact_phone="222",
                     industry_id=str(firm.industry_id), registered_on="2018-05-01", address="", legal_rep="",
                     contact_name="", contact_email=firm.contact_email)
    response = client.post(f"/firms/{firm.id}/edit", data=data)
    assert response.status_code == 302
    edits = {e.field: e for e in db.session.scalars(select(FirmEdit).where(FirmEdit.firm_id == firm.id))}
    assert set(edits) == {"name", "town_id", "contact_phone"}
    assert (edits["name"].old_value, edits["name"].new_value) == ("旧名有限公司", "新名有限公司")
    assert (edits["town_id"].old_value, edits["town_id"].new_value) == ("南明街道", "回山镇")
    assert all(e.user_id == officer.id and e.at is not None for e in edits.values())
    page = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert "信息修改记录" in page and "旧名有限公司" in page and "回山镇" in page


def test_leaders_cannot_open_edit_forms(client, db, login_as, make_firm):
    login_as(Role.LEADER)
    firm = make_firm()
    db.session.commit()
    assert client.get("/firms/new").status_code == 403
    assert client.get(f"/firms/{firm.id}/edit").status_code == 403
    assert client.get(f"/firms/{firm.id}/services/new").status_code == 403
    assert client.post(f"/firms/{firm.id}/edit", data={"name": "x"}).status_code == 403


def test_officer_limited_to_towns_registers_only_in_those_towns(client, db, login_as, make_town):
    mine, other = make_town("儒岙镇"), make_town("回山镇")
    login_as(Role.OFFICER, towns=[mine])
    html = client.get("/firms/new").get_data(as_text=True)
    assert "儒岙镇" in html and "回山镇" not in html
    response = client.post("/firms/new", data=firm_form(other))
    assert response.status_code == 200 and db.session.scalar(select(Firm.id)) is None


def test_service_ledger_entry_shows_on_the_timeline_and_restarts_the_clock(client, db, login_as, make_firm,
                                                                         place_firm):
    login_as(Role.OFFICER, display_name="钱专员")
    record = place_firm(make_firm(), "tech_sme", Stage.POOL, now=utcnow() - timedelta(days=100))
    assert ">停滞</span>" in client.get(f"/firms/{record.firm_id}").get_data(as_text=True)
    response = client.post(f"/firms/{record.firm_id}/services/new", data={
        "served_on": local_today().isoformat(), "kind": "coaching", "note": "辅导研发费用归集"})
    assert response.status_code == 302
    page = client.get(f"/firms/{record.firm_id}").get_data(as_text=True)
    assert "辅导研发费用归集" in page and "服务 · 辅导" in page and "钱专员" in page
    assert ">停滞</span>" not in page
    assert db.session.scalar(select(ServiceRecord.kind)) == "coaching"


def test_service_in_the_future_is_refused(client, db, login_as, make_firm):
    login_as(Role.OFFICER)
    firm = make_firm()
    db.session.commit()
    response = client.post(f"/firms/{firm.id}/services/new", data={
        "served_on": (local_today() + timedelta(days=2)).isoformat(), "kind": "visit", "note": "走访"})
    assert response.status_code == 200 and "不能晚于今天" in response.get_data(as_text=True)
    assert db.session.scalar(select(ServiceRecord.id)) is None


def test_firm_page_shows_identity_tracks_timeline_and_the_gaps_slot(client, db, login_as, make_firm, place_firm):
    login_as(Role.OFFICER)
    firm = make_firm(name="全貌企业有限公司", notes="重点培育对象", industry=Industry(name="纺机"))
    record = place_firm(firm, "tech_sme", Stage.CULTIVATING)
    html = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert "全貌企业有限公司" in html and firm.credit_code in html and "纺机" in html and "重点培育对象" in html
    assert "科技型中小企业" in html and "在此阶段 0 天" in html and record.pool_number in html
    assert "高新技术企业" in html and "列入遴选" in html  # not on 高企 yet
    assert html.count("timeline-move") == 3  # 遴选, 入库, 培育
