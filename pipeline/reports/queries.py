"""Read-side queries of the report archive."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import undefer

from pipeline.domain.periods import PeriodError, parse_month
from pipeline.extensions import db
from pipeline.reports.models import MonthlyReport, ReportRender


def list_reports() -> list[MonthlyReport]:
    """The archive, newest month first (without the PDF bytes)."""
    return list(db.session.scalars(select(MonthlyReport).order_by(MonthlyReport.month.desc())))


def list_recent_renders(limit: int = 5) -> list[ReportRender]:
    return list(db.session.scalars(select(ReportRender).order_by(ReportRender.id.desc()).limit(limit)))


def get_report_or_404(month: str) -> MonthlyReport:
    try:
        key = parse_month(month).key
    except PeriodError:
        abort(404)
    report = db.session.scalar(select(MonthlyReport).options(undefer(MonthlyReport.pdf)).where(MonthlyReport.month == key))
    if report is None:
        abort(404)
    return report


def get_render_or_404(render_id: int) -> ReportRender:
    render = db.session.get(ReportRender, render_id)
    if render is None:
        abort(404)
    return render
