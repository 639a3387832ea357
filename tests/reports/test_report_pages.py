"""The archive page: start a render outside the request, follow its progress as JSON, download the stored PDF."""

from __future__ import annotations

import time
from datetime import timedelta

from pipeline.auth.models import Role
from pipeline.db import utcnow
from pipeline.domain.periods import month_period, previous_period
from pipeline.i18n import local_today
from pipeline.reports.background import run_render, start_report_render
from pipeline.reports.models import MonthlyReport, RenderStatus, ReportRender
from pipeline.reports.services import ReportError


def _last_month() -> str:
    today = local_today()
    return previous_period(month_period(today.year, today.month)).key


def test_officer_starts_a_render_follows_it_and_downloads_the_pdf(app, client, login_as, db):
    login_as(Role.OFFICER)
    month = _last_month()
    response = client.post("/reports/render", data={"month": month})
    assert response.status_code == 302 and "render=" in response.headers["Location"]
    render_id = db.session.query(ReportRender.id).scalar()
    deadline = time.monotonic() + 90
    while True:  # the page polls like this (static/js/reports.js)
        state = client.get(f"/reports/renders/{render_id}").get_json()
        if state["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert state["status"] == "done", state
    assert state["percent"] == 100 and state["download_url"] == f"/reports/{month}.pdf"
    download = client.get(state["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF") and "attachment" in download.headers["Content-Disposition"]
    inline = client.get(state["download_url"] + "?inline=1")
    assert "inline" in inline.headers["Content-Disposition"]
    page = client.get("/reports/").get_data(as_text=True)
    assert month in page and "未发送" in page


def test_leader_reads_the_archive_but_cannot_render(client, login_as, db):
    db.session.add(MonthlyReport(month="2026-10", pdf=b"%PDF-1.7 test", size=13, sha256="0" * 64, generated_at=utcnow()))
    db.session.commit()
    login_as(Role.LEADER)
    page = client.get("/reports/").get_data(as_text=True)
    assert "2026-10" in page and 'action="/reports/render"' not in page
    assert client.get("/reports/2026-10.pdf").data == b"%PDF-1.7 test"
    assert client.post("/reports/render", data={"month": "2026-10"}).status_code == 403


def test_unknown_reports_and_renders_are_404(client, login_as):
    login_as(Role.OFFICER)
    for url in ("/reports/2026-09.pdf", "/reports/2026-13.pdf", "/reports/..%2Fx.pdf", "/reports/renders/999"):
        assert client.get(url).status_code == 404, url


def test_a_month_not_offered_is_refused_without_rendering(client, login_as, db):
    login_as(Role.OFFICER)
    response = client.post("/reports/render", data={"month": "1999-01"}, follow_redirects=True)
    assert "请选择要生成的月份" in response.get_data(as_text=True)
    assert db.session.query(ReportRender).count() == 0


def test_a_second_click_joins_the_running_render(app, db, make_user):
    user = make_user(Role.OFFICER)
    first, created = start_report_render(month_period(2026, 10), user=user, now=utcnow())
    again, created_again = start_report_render(month_period(2026, 10), user=user, now=utcnow())
    assert created and not created_again and again.id == first.id
    later, created_later = start_report_render(month_period(2026, 10), user=user, now=utcnow() + timedelta(hours=1))
    assert created_later and later.id != first.id  # the first one was abandoned


def test_a_failed_render_says_why(app, db, make_user, monkeypatch, client, login_as):
    user = make_user(Role.OFFICER)
    render, _ = start_report_render(month_period(2026, 10), user=user, now=utcnow())
    db.session.commit()

    def fail(*args, **kwargs):
        raise ReportError("模拟失败")

    monkeypatch.setattr("pipeline.reports.background.generate_monthly_report", fail)
    run_render(app, render.id)
    db.session.expire_all()
    assert db.session.get(ReportRender, render.id).status == RenderStatus.FAILED.value
    login_as(Role.LEADER)
    state = client.get(f"/reports/renders/{render.id}").get_json()
    assert state["status"] == "failed" and state["error"] == "模拟失败" and state["download_url"] is None


def test_a_leader_on_a_fresh_install_sees_when_and_to_whom_the_first_report_goes(client, login_as, make_user, db,
                                                                                  monkeypatch):
    from datetime import UTC, datetime

    monkeypatch.setattr("pipeline.reports.views.utcnow", lambda: datetime(2026, 11, 15, 2, 0, tzinfo=UTC))
    make_user(Role.LEADER, display_name="王局长", email="wang@kjj.example.cn", reports_monthly=True)
    login_as(Role.LEADER)
    page = client.get("/reports/").get_data(as_text=True)
    assert "第一份月报将如何送达" in page and "尚无归档月报" in page
    assert "2026-12-01 08:00" in page and "2026年11月" in page  # the scheduler's next run, and its month
    assert "王局长" in page and "您不在收件人之中" in page


def test_without_recipients_the_page_says_nothing_will_be_sent(client, login_as):
    login_as(Role.LEADER)
    assert "目前没有收件人" in client.get("/reports/").get_data(as_text=True)


def test_the_archive_fragment_keeps_the_checksum_in_the_details(client, login_as, db):
    db.session.add(MonthlyReport(month="2026-10", pdf=b"%PDF-1.7 test", size=13, sha256="ab" * 32, generated_at=utcnow()))
    db.session.commit()
    login_as(Role.LEADER)
    fragment = client.get("/reports/archive").get_data(as_text=True)
    assert "2026-10" in fragment and "<html" not in fragment
    details = fragment.split("<details", 1)[1]
    assert "ab" * 32 in details and "SHA-256" not in fragment.split("<details", 1)[0]
    page = client.get("/reports/").get_data(as_text=True)
    assert 'data-archive-url="/reports/archive"' in page and "ab" * 32 in page
