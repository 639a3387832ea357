"""Reading the audit log: the admin's filtered list and a user's recent events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select

from pipeline.audit.models import AuditEvent
from pipeline.extensions import db
from pipeline.i18n import local_zone

PAGE_SIZE = 100


def local_day_start(day: date, days: int = 0) -> datetime:
    """The UTC instant the bureau's day (plus some days) begins."""
    return datetime.combine(day + timedelta(days=days), time(), tzinfo=local_zone()).astimezone(UTC)


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""  # a username: events it did or that concern it
    kind: str = ""
    since: date | None = None
    until: date | None = None


def _query(filters: AuditFilters):
    query = select(AuditEvent)
    if filters.user:
        query = query.where(or_(AuditEvent.actor_name == filters.user, AuditEvent.target_name == filters.user))
    if filters.kind:
        query = query.where(AuditEvent.kind == filters.kind)
    if filters.since:
        query = query.where(AuditEvent.at >= local_day_start(filters.since))
    if filters.until:
        query = query.where(AuditEvent.at < local_day_start(filters.until, days=1))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def list_events(filters: AuditFilters, page: int) -> tuple[list[AuditEvent], bool]:
    """One page of events, newest first, and whether another page follows."""
    rows = list(db.session.scalars(_query(filters).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def iter_events(filters: AuditFilters, limit: int = 100_000):
    """Every event matching the filters (for the Excel export), newest first."""
    return db.session.scalars(_query(filters).limit(limit).execution_options(yield_per=1000))


def list_events_of_user(user_id: int, limit: int = 20) -> list[AuditEvent]:
    """The latest events a user did or that concern the user (the user page)."""
    return list(db.session.scalars(select(AuditEvent).where(
        or_(AuditEvent.actor_id == user_id, AuditEvent.target_user_id == user_id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))



def report_recipients_by_month() -> dict[str, list[list[str]]]:
    """For each report month, the (name, address) pairs its latest sending went to (from the audit log)."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "report_sent")
                                .order_by(AuditEvent.at, AuditEvent.id))
    return {event.details.get("month", ""): event.details.get("recipients", []) for event in events}
