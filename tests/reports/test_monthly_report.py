"""The monthly PDF: same numbers as the dashboard, the headline numbers in its text, fonts, archive, CLI, sending."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from pipeline.dashboard.models import AnnualTarget
from pipeline.dashboard.stats import build_funnel_stats
from pipeline.domain.periods import month_period
from pipeline.funnel.models import Track
from pipeline.reports.context import build_report_context
from pipeline.reports.models import MonthlyReport
from pipeline.reports.pdf import render_report_pdf
from pipeline.reports.services import ReportError, generate_monthly_report, send_monthly_report
from tests.dashboard.conftest import NOW, ZONE
from tests.reports.conftest import pdf_text, queued

OCTOBER = month_period(2026, 10)


@pytest.fixture
def targets(db, known_county):
    hnte = db.session.scalar(select(Track).where(Track.code == "hnte"))
    db.session.add(AnnualTarget(track_id=hnte.id, year=2026, town_id=None, target=25))
    db.session.commit()


@pytest.fixture
def report_context(known_county, targets):
    return build_report_context(OCTOBER, now=NOW, zone=ZONE, authority="新昌县科学技术局", annex_limit=50)


def test_report_numbers_equal_the_dashboards_for_the_same_period(report_context):
    dashboard = build_funnel_stats(OCTOBER, now=NOW, zone=ZONE)
    assert report_context.stats.tracks == dashboard.tracks
    assert [risk.total for risk in report_context.stats.risks] == [risk.total for risk in dashboard.risks]
    hnte = next(h for h in report_context.headlines if h.code == "hnte")
    assert hnte.entered_pool == (2, 0)  # October: B, D; September: none (A in May, J is 科小)
    assert hnte.certified == (1, 0)
    assert hnte.exited == (1, 0)
    assert hnte.in_pipeline == (3, 2)  # pool or cultivating: B, D, F at the end of October; F, A at the end of September
    assert (hnte.year_actual, hnte.target, hnte.projection) == (2, 25, 2)


def test_movement_lists_match_the_flow_numbers(report_context):
    pool, certified, exits = report_context.movements
    assert pool.total == sum(track.entered_pool for track in report_context.stats.tracks) == 3  # B, D, I
    assert sorted(row.name for row in pool.rows) == ["B公司", "D公司", "I公司"]
    assert certified.total == 2 and {row.name for row in certified.rows} == {"A公司", "I公司"}
    assert certified.rows[0].what.startswith("GR2026")
    assert exits.total == 2
    assert {(row.name, row.what) for row in exits.rows} == {("C公司", "出库：企业放弃"), ("J公司", "评价未通过")}  # J is 科小


def test_pdf_has_the_headline_numbers_in_an_embedded_chinese_font(app, report_context, tmp_path):
    pdf = render_report_pdf(report_context)
    text = pdf_text(pdf).replace(" ", "").replace("\n", "")
    assert "新昌县科学技术局" in text
    assert "2026年10月科技型企业梯队培育月报" in text
    assert report_context.generated_at_text.replace(" ", "") in text
    assert "高新技术企业：本月新入库2家（比上月增加2家），新认定1家，退出1家" in text
    assert "本年累计新增认定2家，完成年度目标25家的8.0%，时间进度83.3%" in text
    assert "预计年末2家" in text
    assert "目录" in text and "附件一" in text and "附件二" in text
    assert "第1页/共" in text
    for name in ("B公司", "D公司", "C公司", "G公司", "H公司"):  # movements and at-risk firms in the annexes
        assert name in text
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S607
    cjk = [line for line in fonts.splitlines() if "CJK" in line or "WenQuanYi" in line]
    assert cjk and all(" yes yes " in line for line in cjk)  # embedded, subset


def test_generating_again_replaces_the_archived_copy_and_keeps_sent_at(app, db, known_county):
    first = generate_monthly_report(OCTOBER, now=NOW)
    first.sent_at = NOW
    db.session.commit()
    later = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    second = generate_monthly_report(OCTOBER, now=later)
    db.session.commit()
    assert second.id == first.id and db.session.scalar(select(func.count(MonthlyReport.id))) == 1
    assert second.generated_at == later and second.sent_at == NOW
    assert second.pdf.startswith(b"%PDF") and second.size == len(second.pdf)


def test_future_months_and_non_months_are_refused(app, fake_pdf):
    with pytest.raises(ReportError):
        generate_monthly_report(month_period(2027, 1), now=NOW)
    from pipeline.domain.periods import year_period

    with pytest.raises(ReportError):
        generate_monthly_report(year_period(2026), now=NOW)


def test_send_queues_one_mail_to_the_leaders_in_bcc_with_the_pdf(app, db, known_county, leaders, fake_pdf):
    report = generate_monthly_report(OCTOBER, now=NOW)
    assert send_monthly_report(report, now=NOW) == 2
    db.session.commit()
    (message,) = queued(db)
    assert message.to == [] and message.bcc == [["", address] for address in leaders]
    assert message.subject == "【新昌县科学技术局】2026年10月科技型企业梯队培育月报"
    (attachment,) = message.attachments
    assert (attachment.filename, attachment.mimetype) == ("2026年10月科技型企业梯队培育月报.pdf", "application/pdf")
    assert attachment.content == report.pdf
    assert "各位领导" in message.text_body and "/reports/" in message.text_body and "<p>" in message.html_body
    assert report.sent_at == NOW and report.sent_to == 2


def test_send_without_leaders_is_refused(app, db, known_county, fake_pdf):
    report = generate_monthly_report(OCTOBER, now=NOW)
    with pytest.raises(ReportError, match="PIPELINE_LEADER_EMAILS"):
        send_monthly_report(report, now=NOW)
    assert queued(db) == [] and report.sent_at is None


def test_a_bad_leader_address_is_a_clear_error(app, db, known_county, fake_pdf, monkeypatch):
    monkeypatch.setitem(app.config, "PIPELINE_LEADER_EMAILS", ["not an address"])
    report = generate_monthly_report(OCTOBER, now=NOW)
    with pytest.raises(ReportError, match="收件人地址无效"):
        send_monthly_report(report, now=NOW)

