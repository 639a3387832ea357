"""The scheduled job: on the 1st of each month at 08:00 (the scheduler's JOBS table), last month's report."""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from pipeline.domain.periods import Period, month_period, previous_period
from pipeline.extensions import db
from pipeline.i18n import local_zone
from pipeline.reports.city import run_city_reports
from pipeline.reports.models import MonthlyReport
from pipeline.reports.services import (
    ReportError,
    generate_monthly_report,
    get_monthly_report,
    send_monthly_report,
)
from pipeline.scheduler import JOBS
from pipeline.tenancy.scope import current_scope, for_each_county

log = logging.getLogger(__name__)


def run_monthly_report_job(now: datetime) -> MonthlyReport | str | None:
    """Each county's report of the previous month, then each city's edition (issue 24); each is sent once."""
    result = run_county_monthly_report(now)
    if current_scope().restricted:  # one county's run: no city editions
        return result
    city_results = run_city_reports(_last_month(now), now)
    if not city_results:
        return result  # one county, no city: as before
    return "；".join(([str(result)] if result else []) + city_results)


def _last_month(now: datetime) -> Period:
    local = now.astimezone(local_zone())
    return previous_period(month_period(local.year, local.month))


@for_each_county
def run_county_monthly_report(now: datetime) -> MonthlyReport | None:
    """Render, archive and send the previous month's report once; does nothing if it was already sent."""
    month = _last_month(now)
    report = get_monthly_report(month.key)
    if report is not None and report.sent_at is not None:
        return None
    if report is None or report.generated_at < month.bounds(local_zone())[1]:
        report = generate_monthly_report(month, now=now)  # not rendered since the month ended: render it now
        db.session.commit()
    try:
        send_monthly_report(report, now=now)
    except ReportError as exc:
        db.session.rollback()
        log.warning("monthly report %s archived but not sent: %s", month.key, exc)
        return report
    db.session.commit()
    return report


def next_monthly_report(now: datetime, zone) -> tuple[datetime, Period]:
    """When the scheduler next sends a report, and of which month: read from its JOBS entry, so the page and the
    schedule cannot disagree."""
    job = next(job for job in JOBS if job.id == "monthly_report")
    run_at = CronTrigger(**job.cron, timezone=zone).get_next_fire_time(None, now)
    local = run_at.astimezone(zone)
    return run_at, previous_period(month_period(local.year, local.month))
