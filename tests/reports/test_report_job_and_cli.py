"""The scheduled job sends last month's report exactly once; `flask report monthly` renders, archives and sends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from pipeline.mail.sender import send_queued_emails
from pipeline.reports.jobs import run_monthly_report_job
from pipeline.reports.models import MonthlyReport
from tests.dashboard.conftest import ZONE
from tests.reports.conftest import queued

FIRST_OF_DECEMBER = datetime(2026, 12, 1, 8, 0, tzinfo=ZONE)


def test_job_sends_exactly_one_mail_with_the_pdf_to_the_smtp_server(app, db, known_county, leaders, smtp_server):
    report = run_monthly_report_job(FIRST_OF_DECEMBER)
    assert report.month == "2026-11" and report.sent_at is not None
    assert run_monthly_report_job(FIRST_OF_DECEMBER) is None  # already sent: nothing
    assert run_monthly_report_job(datetime(2026, 12, 1, 9, 0, tzinfo=ZONE)) is None
    with app.app_context():  # the scheduler's sender job, in its own app context
        assert send_queued_emails(FIRST_OF_DECEMBER).sent == 1
    (envelope,) = smtp_server.envelopes
    assert sorted(envelope.rcpt_tos) == sorted(leaders)
    (message,) = smtp_server.messages
    assert message["Subject"] == "【新昌县科学技术局】2026年11月科技型企业梯队培育月报"
    assert "Bcc" not in message and "chen@" not in envelope.content.decode()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "2026年11月科技型企业梯队培育月报.pdf"
    assert attachment.get_content() == db.session.get(MonthlyReport, report.id).pdf
    assert attachment.get_content().startswith(b"%PDF")


def test_job_reuses_a_copy_rendered_after_the_month_ended(app, db, leaders, fake_pdf, monkeypatch):
    from pipeline.domain.periods import month_period
    from pipeline.reports.services import generate_monthly_report

    early = generate_monthly_report(month_period(2026, 11), now=datetime(2026, 12, 1, 7, 0, tzinfo=ZONE))
    db.session.commit()
    monkeypatch.setattr("pipeline.reports.jobs.generate_monthly_report", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError("rendered again")))
    assert run_monthly_report_job(FIRST_OF_DECEMBER).id == early.id
    assert len(queued(db)) == 1


def test_job_without_leaders_archives_but_does_not_mark_sent(app, db, fake_pdf, monkeypatch):
    report = run_monthly_report_job(FIRST_OF_DECEMBER)
    assert report.sent_at is None and queued(db) == []
    assert str(report).startswith("2026年11月月报") and "未发送" in str(report)  # the scheduler's log line
    monkeypatch.setitem(app.config, "PIPELINE_LEADER_EMAILS", ["chen@example.gov.cn"])
    sent = run_monthly_report_job(FIRST_OF_DECEMBER)
    assert sent.sent_at is not None and "已发送" in str(sent)  # the next run sends it
    assert len(queued(db)) == 1


def test_cli_renders_to_a_file_and_replaces_without_sending(runner, db, known_county, leaders, fake_pdf, tmp_path):
    out = tmp_path / "october.pdf"
    result = runner.invoke(args=["report", "monthly", "--month", "2026-10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成 2026年10月 月报" in result.output and out.read_bytes().startswith(b"%PDF")
    result = runner.invoke(args=["report", "monthly", "--month", "2026-10"])
    assert result.exit_code == 0 and queued(db) == []
    assert db.session.scalar(select(func.count(MonthlyReport.id))) == 1
    result = runner.invoke(args=["report", "monthly", "--month", "2026-10", "--send"])
    assert result.exit_code == 0 and "密送 2 位局领导" in result.output
    assert len(queued(db)) == 1


def test_cli_refuses_bad_months_clearly(runner, fake_pdf):
    result = runner.invoke(args=["report", "monthly", "--month", "2026-13"])
    assert result.exit_code == 2 and "月份" in result.output and "Traceback" not in result.output
    result = runner.invoke(args=["report", "monthly", "--month", "2099-01"])
    assert result.exit_code == 1 and "尚未开始" in result.output


def test_cli_send_without_leaders_fails_clearly_but_keeps_the_archive(runner, db, fake_pdf):
    result = runner.invoke(args=["report", "monthly", "--month", "2025-10", "--send"])
    assert result.exit_code == 1 and "PIPELINE_LEADER_EMAILS" in result.output
    assert db.session.scalar(select(func.count(MonthlyReport.id))) == 1


def test_officer_limited_to_towns_cannot_open_the_county_wide_report_archive(client, login_as, make_town, db):
    from pipeline.auth.models import Role

    login_as(Role.OFFICER, towns=[make_town("南明街道")])
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/2026-11.pdf").status_code == 403
    assert "月度报告" not in client.get("/funnel/").get_data(as_text=True)
