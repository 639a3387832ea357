"""Generate, archive and send the monthly report. Services flush; the caller (view, CLI, job) commits."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from pipeline.domain.periods import Period
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.i18n import local_zone
from pipeline.reports.context import build_report_context
from pipeline.reports.models import MonthlyReport
from pipeline.reports.pdf import render_report_pdf

Progress = Callable[[str, int], None]


class ReportError(Exception):
    """A report that cannot be made or sent; the message is shown to the user."""


def get_monthly_report(month_key: str) -> MonthlyReport | None:
    return db.session.scalar(select(MonthlyReport).where(MonthlyReport.month == month_key))


def generate_monthly_report(month: Period, *, now: datetime, progress: Progress | None = None) -> MonthlyReport:
    """Render a calendar month's report and archive it, replacing an earlier copy (its sent_at stays)."""
    progress = progress or (lambda step, percent: None)
    if month.kind != "month":
        raise ReportError("月报只能按自然月生成。")
    if month.bounds(local_zone())[0] > now:
        raise ReportError(f"{month.label}尚未开始，无法生成月报。")
    config = current_app.config
    progress(N_("统计数据"), 10)
    context = build_report_context(month, now=now, zone=local_zone(), authority=config["PIPELINE_AUTHORITY_NAME"],
                                   annex_limit=config.get("PIPELINE_REPORT_ANNEX_LIMIT", 150))
    progress(N_("排版 PDF"), 35)
    pdf = render_report_pdf(context)
    progress(N_("保存到归档"), 90)
    report = get_monthly_report(month.key)
    if report is None:
        report = MonthlyReport(month=month.key)
        db.session.add(report)
    report.pdf, report.size, report.sha256 = pdf, len(pdf), hashlib.sha256(pdf).hexdigest()
    report.generated_at = now
    db.session.flush()
    return report


def _queue_email(**message) -> None:
    # MERGE: the outbox (pipeline.notifications, from the outbox/reminders branch) is not on main yet. The agreed
    # call: queue_email(subject=..., to=[...], bcc=[...], text=..., html=..., attachments=[(filename, bytes, mimetype)]).
    try:
        from pipeline.notifications import queue_email
    except ImportError:
        raise ReportError("邮件发件箱（pipeline.notifications）尚未安装，月报未发送。") from None
    queue_email(**message)


def send_monthly_report(report: MonthlyReport, *, now: datetime) -> int:
    """Queue the report to the leaders (Bcc) with the PDF attached; return how many addresses. Flushes."""
    recipients = list(current_app.config.get("PIPELINE_LEADER_EMAILS") or [])
    if not recipients:
        raise ReportError("未配置局领导收件人（PIPELINE_LEADER_EMAILS），月报未发送。")
    year, month = report.month.split("-")
    values = {"authority": current_app.config["PIPELINE_AUTHORITY_NAME"], "month_label": f"{year}年{int(month)}月",
              "report": report, "url": current_app.config["PIPELINE_EXTERNAL_URL"] + "/reports/"}
    with force_locale("zh"):
        text = render_template("emails/monthly_report.txt", **values)
        html = render_template("emails/monthly_report.html", **values)
    _queue_email(subject=f"{values['authority']}{values['month_label']}科技型企业梯队培育月报", to=[], bcc=recipients,
                 text=text, html=html, attachments=[(report.filename, report.pdf, "application/pdf")])
    report.sent_at, report.sent_to = now, len(recipients)
    db.session.flush()
    return len(recipients)
