"""Generate, archive and send the monthly report. Services flush; the caller (view, CLI, job) commits."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from pipeline.accounts.subscriptions import report_recipients
from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.channels.services import queue_report_notice
from pipeline.domain.periods import Period
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.i18n import local_zone
from pipeline.notifications import Attachment, external_url, queue_email, render_email
from pipeline.reports.context import build_report_context
from pipeline.reports.models import MonthlyReport
from pipeline.reports.pdf import render_report_pdf
from pipeline.tenancy.services import bureau_name

Progress = Callable[[str, int], None]


class ReportError(Exception):
    """A report that cannot be made or sent; the message is shown to the user."""


def get_monthly_report(month_key: str) -> MonthlyReport | None:
    return db.session.scalar(select(MonthlyReport).where(MonthlyReport.month == month_key))


def check_report_month(month: Period, now: datetime) -> None:
    """A report covers a calendar month that has begun."""
    if month.kind != "month":
        raise ReportError("月报只能按自然月生成。")
    if month.bounds(local_zone())[0] > now:
        raise ReportError(f"{month.label}尚未开始，无法生成月报。")


def generate_monthly_report(month: Period, *, now: datetime, progress: Progress | None = None) -> MonthlyReport:
    """Render a calendar month's report and archive it, replacing an earlier copy (its sent_at stays)."""
    progress = progress or (lambda step, percent: None)
    check_report_month(month, now)
    config = current_app.config
    progress(N_("统计数据"), 10)
    context = build_report_context(month, now=now, zone=local_zone(), authority=bureau_name(),
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


def send_monthly_report(report: MonthlyReport, *, now: datetime) -> int:
    """Queue the report (Bcc) to the users subscribed to it and PIPELINE_LEADER_EMAILS through the outbox with the
    PDF attached; audit who it went to; return how many addresses.

    Flushes: the mail leaves only when the caller commits, together with sent_at."""
    recipients = report_recipients(current_app.config.get("PIPELINE_LEADER_EMAILS") or [])
    if not recipients:
        raise ReportError("没有月报收件人：请在用户管理中为局领导勾选“每月接收漏斗报告”，或配置 PIPELINE_LEADER_EMAILS。月报未发送。")
    rendered = render_email("monthly_report", month_label=report.month_label, size_kb=round(report.size / 1024),
                            url=external_url("reports.index"))
    try:
        queue_email([], rendered.subject, rendered.text, html=rendered.html, bcc=recipients, template="monthly_report",
                    attachments=[Attachment(report.filename, "application/pdf", report.pdf)], now=now)
    except ValueError as exc:  # an address the outbox refuses
        raise ReportError(f"局领导收件人地址无效：{exc}") from None
    queue_report_notice(report.month, report.month_label, now)  # SMS / DingTalk notices, in the same transaction
    report.sent_at, report.sent_to = now, len(recipients)
    record_event(AuditKind.REPORT_SENT, now=now, month=report.month, recipients=[list(pair) for pair in recipients])
    db.session.flush()
    return len(recipients)
