"""The notification list, the annual-report buttons and the admin's reminder pages, as users use them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import render_template_string
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.i18n import local_today
from pipeline.reminders.models import AnnualReportFiling, HnteBatch, ProgramYear, Reminder, ReminderRule

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def reminder(db, *, firm=None, user=None, title="提醒", read=False, about=None):
    row = Reminder(rule_code="hnte_expiry", target=f"t{title}{firm and firm.id}{user and user.id}", due_on=date(2026, 11, 2),
                   firm_id=(about or firm).id if (about or firm) else None, recipient_firm_id=firm.id if firm else None,
                   recipient_user_id=user.id if user else None, title=title, body="正文", items=[], created_at=NOW,
                   read_at=NOW if read else None)
    db.session.add(row)
    db.session.commit()
    return row


def test_an_officer_sees_only_the_reminders_addressed_to_them_with_an_unread_badge(client, db, login_as, make_user,
                                                                                   make_firm):
    me = login_as(Role.OFFICER)
    firm = make_firm(name="甲公司")
    reminder(db, user=me, title="给我的提醒", about=firm)
    reminder(db, user=me, title="已读的提醒", read=True)
    reminder(db, user=make_user(Role.OFFICER), title="别人的提醒")
    reminder(db, firm=firm, title="企业的提醒")
    html = client.get("/reminders/").get_data(as_text=True)
    assert "给我的提醒" in html and "已读的提醒" in html and "甲公司" in html
    assert "别人的提醒" not in html and "企业的提醒" not in html
    assert 'navbar-reminders' in html and '<span class="badge rounded-pill text-bg-warning">1</span>' in html


def test_a_firm_user_sees_only_their_firms_reminders_and_cannot_touch_another_firms(client, db, login_as,
                                                                                   make_firm):
    user = login_as(Role.FIRM)
    other = make_firm()
    mine = reminder(db, firm=user.firm, title="本企业提醒")
    theirs = reminder(db, firm=other, title="其他企业提醒")
    html = client.get("/portal/reminders/").get_data(as_text=True)
    assert "本企业提醒" in html and "其他企业提醒" not in html
    assert client.post(f"/portal/reminders/{theirs.id}/read").status_code == 404
    assert client.post("/portal/reminders/read-all").status_code == 302
    db.session.expire_all()
    assert db.session.get(Reminder, mine.id).read_at is not None
    assert db.session.get(Reminder, theirs.id).read_at is None


def test_marking_one_reminder_read_clears_the_badge(client, db, login_as):
    me = login_as(Role.OFFICER)
    row = reminder(db, user=me)
    assert client.post(f"/reminders/{row.id}/read").status_code == 302
    db.session.expire_all()
    assert db.session.get(Reminder, row.id).read_at is not None
    assert "text-bg-warning\">" not in client.get("/reminders/").get_data(as_text=True).split("</nav>")[0]


def test_an_officer_marks_a_firms_annual_report_filed_and_can_take_it_back(client, db, login_as, make_firm):
    login_as(Role.OFFICER)
    firm = make_firm()
    db.session.commit()
    year = local_today().year
    response = client.post(f"/reminders/firms/{firm.id}/annual-report", data={"year": year, "filed": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/firms/{firm.id}")
    filing = db.session.scalar(select(AnnualReportFiling).where(AnnualReportFiling.firm_id == firm.id))
    assert filing.year == year
    client.post(f"/reminders/firms/{firm.id}/annual-report", data={"year": year, "filed": "0"})
    assert db.session.scalar(select(AnnualReportFiling)) is None


def test_a_firm_marks_its_own_annual_report_filed_on_the_portal(client, db, login_as):
    user = login_as(Role.FIRM)
    response = client.post("/portal/reminders/annual-report", data={"year": local_today().year, "next": "//evil.example"})
    assert response.status_code == 302 and response.location.endswith("/portal/")
    assert db.session.scalar(select(AnnualReportFiling.firm_id)) == user.firm_id


def test_a_bad_year_is_refused_with_a_message_and_nothing_changes(client, db, login_as, make_firm):
    login_as(Role.OFFICER)
    firm = make_firm()
    db.session.commit()
    for data in ({"year": 1999}, {"year": "x"}, {}):
        client.post(f"/reminders/firms/{firm.id}/annual-report", data=data)
    assert db.session.scalar(select(AnnualReportFiling)) is None
    html = client.get("/reminders/").get_data(as_text=True)
    assert "只能标记今年或去年的年度报表" in html or "请求无效" in html


def test_an_officer_limited_to_other_towns_gets_404_for_the_annual_report(client, db, login_as, make_firm, make_town):
    login_as(Role.OFFICER, towns=[make_town("羽林街道")])
    firm = make_firm(town=make_town("南明街道"))
    db.session.commit()
    assert client.post(f"/reminders/firms/{firm.id}/annual-report", data={"year": 2026}).status_code == 404


def test_the_annual_report_partial_shows_the_state_and_the_button(app, db, make_firm, make_user, put_on_track):
    firm = make_firm()
    put_on_track(firm, "hnte", Stage.CERTIFIED, certified_on=date(2020, 1, 1))
    officer = make_user(Role.OFFICER)
    db.session.commit()
    template = ("{% with action=url_for('reminders.annual_report', firm_id=firm.id) %}"
                "{% include 'reminders/_annual_report.html' %}{% endwith %}")
    with app.test_request_context("/firms/1"):
        from flask_login import login_user

        login_user(officer)
        html = render_template_string(template, firm=firm)
        assert "尚未填报" in html and "标记为已填报" in html and f"/reminders/firms/{firm.id}/annual-report" in html
        db.session.add(AnnualReportFiling(firm_id=firm.id, year=local_today().year, marked_by_id=officer.id))
        db.session.flush()
        html = render_template_string(template, firm=firm)
        assert "已填报" in html and "撤销填报标记" in html
        assert render_template_string(template, firm=make_firm()).strip() == ""  # owes no report


def test_the_admin_edits_a_rules_text_and_an_unknown_placeholder_is_refused(client, db, login_as):
    login_as(Role.ADMIN)
    page = client.get("/admin/reminders/rules/hnte_expiry").get_data(as_text=True)
    assert "{企业名称}" in page and "{到期日期}" in page
    response = client.post("/admin/reminders/rules/hnte_expiry",
                           data={"enabled": "y", "subject": "{公司}证书到期", "body": "正文"})
    assert response.status_code == 200 and "不认识的占位符 {公司}" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ReminderRule, ("hnte_expiry", 1)).subject_template.startswith("{企业名称}")
    response = client.post("/admin/reminders/rules/hnte_expiry",
                           data={"subject": "{企业名称}：证书 {到期日期} 到期", "body": "请在 {剩余天数} 天内准备。"})
    assert response.status_code == 302
    db.session.expire_all()
    rule = db.session.get(ReminderRule, ("hnte_expiry", 1))
    assert (rule.enabled, rule.subject_template) == (False, "{企业名称}：证书 {到期日期} 到期")
    assert client.post("/admin/reminders/rules/nope").status_code == 404


def test_the_admin_switches_a_rule_off_and_on(client, db, login_as):
    login_as(Role.ADMIN)
    client.post("/admin/reminders/rules/stale_digest/toggle")
    db.session.expire_all()
    assert db.session.get(ReminderRule, ("stale_digest", 1)).enabled is False
    assert "已停用" in client.get("/admin/reminders/").get_data(as_text=True)
    client.post("/admin/reminders/rules/stale_digest/toggle")
    db.session.expire_all()
    assert db.session.get(ReminderRule, ("stale_digest", 1)).enabled is True


def test_the_admin_keeps_the_yearly_dates(client, db, login_as):
    login_as(Role.ADMIN)
    assert "2026-06-01" in client.get("/admin/reminders/calendar").get_data(as_text=True)
    page = client.get("/admin/reminders/calendar/2026").get_data(as_text=True)
    assert 'value="2026-06-01"' in page and "2026-04-30\n2026-07-31</textarea>" in page
    response = client.post("/admin/reminders/calendar/2027", data={
        "tech_sme_opens_on": "2027-06-01", "tech_sme_closes_on": "2027-05-01", "hnte_batches": ""})
    assert "截止日期不能早于开始日期" in response.get_data(as_text=True)
    response = client.post("/admin/reminders/calendar/2027", data={"hnte_batches": "2027-04-31"})
    assert "不是有效日期" in response.get_data(as_text=True)
    response = client.post("/admin/reminders/calendar/2027", data={"hnte_batches": "2028-04-30"})
    assert "日期必须在 2027 年内" in response.get_data(as_text=True)
    assert db.session.get(ProgramYear, (2027, 1)) is None
    response = client.post("/admin/reminders/calendar/2027", data={
        "tech_sme_opens_on": "2027-06-01", "tech_sme_closes_on": "2027-08-31",
        "hnte_batches": "2027-07-31\n2027-04-30"})
    assert response.status_code == 302
    db.session.expire_all()
    year = db.session.get(ProgramYear, (2027, 1))
    assert (year.tech_sme_opens_on, year.tech_sme_closes_on) == (date(2027, 6, 1), date(2027, 8, 31))
    assert [b.due_on for b in year.hnte_batches] == [date(2027, 4, 30), date(2027, 7, 31)]
    client.post("/admin/reminders/calendar/2027", data={"hnte_batches": "2027-05-15"})
    assert list(db.session.scalars(select(HnteBatch.due_on).where(HnteBatch.year == 2027))) == [date(2027, 5, 15)]
    assert client.get("/admin/reminders/calendar/1800").status_code == 404
    response = client.post("/admin/reminders/calendar", data={"year": "2028"})
    assert response.status_code == 302 and response.location.endswith("/admin/reminders/calendar/2028")


def test_the_admin_runs_todays_rules_from_the_rules_page(client, db, login_as):
    login_as(Role.ADMIN)
    response = client.post("/admin/reminders/run", follow_redirects=True)
    assert "新增提醒 0 条" in response.get_data(as_text=True)
