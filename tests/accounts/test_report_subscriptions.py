"""每月接收漏斗报告: users subscribe in the app; PIPELINE_LEADER_EMAILS stays an extra list; the report page shows
who the report went to."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from pipeline.audit.models import AuditEvent
from pipeline.auth.models import Role
from pipeline.mail.models import OutboxMessage
from pipeline.reports.models import MonthlyReport
from pipeline.reports.services import ReportError, send_monthly_report

NOW = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def report(db):
    report = MonthlyReport(month="2026-02", pdf=b"%PDF-1.7 fake", size=13, sha256="0" * 64, generated_at=NOW)
    db.session.add(report)
    db.session.flush()
    return report


def test_subscribed_users_and_the_extra_list_receive_it_once_each(app, db, make_user, report, monkeypatch):
    make_user(Role.LEADER, display_name="陈局长", email="chen@kjj.example.cn", reports_monthly=True)
    make_user(Role.LEADER, email="gone@kjj.example.cn", reports_monthly=True, active=False)
    make_user(Role.OFFICER, email="wang@kjj.example.cn")  # not subscribed
    monkeypatch.setitem(app.config, "PIPELINE_LEADER_EMAILS", ["CHEN@kjj.example.cn", "party@kjj.example.cn"])
    assert send_monthly_report(report, now=NOW) == 2
    message = db.session.scalar(select(OutboxMessage))
    assert message.bcc == [["陈局长", "chen@kjj.example.cn"], ["", "party@kjj.example.cn"]]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "report_sent"))
    assert event.details["month"] == "2026-02" and len(event.details["recipients"]) == 2


def test_no_subscriber_and_no_extra_list_sends_nothing(app, db, report, monkeypatch):
    monkeypatch.setitem(app.config, "PIPELINE_LEADER_EMAILS", [])
    with pytest.raises(ReportError, match="每月接收漏斗报告"):
        send_monthly_report(report, now=NOW)


def test_admin_subscribes_a_leader_on_the_user_page_and_the_report_page_names_the_recipients(
        client, login_as, db, make_user, report, app, monkeypatch):
    monkeypatch.setitem(app.config, "PIPELINE_LEADER_EMAILS", [])
    login_as(Role.ADMIN)
    leader = make_user(Role.LEADER, display_name="陈局长", email="chen@kjj.example.cn")
    db.session.commit()
    client.post(f"/admin/users/{leader.id}", data={"display_name": "陈局长", "email": leader.email, "role": "leader",
                                                   "reports_monthly": "y"})
    assert "每月接收漏斗报告" in client.get(f"/admin/users/{leader.id}").get_data(as_text=True)
    send_monthly_report(db.session.get(MonthlyReport, report.id), now=NOW)
    db.session.commit()
    page = client.get("/reports/").get_data(as_text=True)
    # the archive row's details (issue 21 moved the recipients and the SHA-256 there) name whom it went to
    assert '<dt>收件人：</dt><dd class="report-recipients">陈局长 &lt;chen@kjj.example.cn&gt;</dd>' in page
