"""Render a report outside the web request: a thread with its own app context writes its progress to ReportRender."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.db import utcnow
from pipeline.domain.periods import Period, parse_month
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.reports.models import RenderStatus, ReportRender
from pipeline.reports.services import ReportError, generate_monthly_report

log = logging.getLogger(__name__)
# A render that has not finished after this long died with its process.
ABANDONED_AFTER = timedelta(minutes=30)


def start_report_render(month: Period, *, user: User, now: datetime) -> tuple[ReportRender, bool]:
    """Record a render of the month, or find the one already running (created False). Flushes; the caller commits
    and then launches the new one."""
    running = db.session.scalar(
        select(ReportRender).where(ReportRender.month == month.key, ReportRender.status == RenderStatus.RUNNING.value,
                                   ReportRender.started_at > now - ABANDONED_AFTER))
    if running is not None:
        return running, False
    render = ReportRender(month=month.key, requested_by_id=user.id, step=N_("排队中"), percent=0, started_at=now)
    db.session.add(render)
    db.session.flush()
    return render, True


def launch_render(app: Flask, render_id: int) -> threading.Thread:
    """Start the worker thread of a committed ReportRender."""
    thread = threading.Thread(target=run_render, args=(app, render_id), name=f"report-render-{render_id}", daemon=True)
    thread.start()
    return thread


def run_render(app: Flask, render_id: int) -> None:
    """Generate the report of a ReportRender, committing each progress step so that the page can show it."""
    with app.app_context():
        render = db.session.get(ReportRender, render_id)
        if render is None or render.status != RenderStatus.RUNNING.value:
            return

        def progress(step: str, percent: int) -> None:
            render.step, render.percent = step, percent
            db.session.commit()

        try:
            report = generate_monthly_report(parse_month(render.month), now=utcnow(), progress=progress)
            render.report_id, render.status, render.step, render.percent = report.id, RenderStatus.DONE.value, N_("完成"), 100
        except Exception as exc:  # noqa: BLE001 (whatever went wrong, the page must learn that the render failed)
            db.session.rollback()
            if not isinstance(exc, ReportError):
                log.exception("monthly report render %s failed", render_id)
            render = db.session.get(ReportRender, render_id)
            if render is None:  # deleted meanwhile: nobody is waiting for it
                return
            render.status, render.error = RenderStatus.FAILED.value, str(exc) if isinstance(exc, ReportError) else ""
        render.finished_at = utcnow()
        db.session.commit()
        db.session.remove()


def render_state(render: ReportRender, now: datetime) -> str:
    """running / done / failed; a render running for too long counts as failed."""
    if render.status == RenderStatus.RUNNING.value and render.started_at < now - ABANDONED_AFTER:
        return RenderStatus.FAILED.value
    return render.status
