"""Settings changed in the web app are audited in one place: a before_flush listener notes every insert, change or
deletion of a settings row (培育类别 and their stage settings, annual targets and baselines, reminder rules, the
yearly 申报 calendar) made by a logged-in user, with the old and new values, as one setting_changed row each."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from pipeline.audit.models import AuditEvent, AuditKind
from pipeline.db import utcnow

WATCHED_TABLES = frozenset({"track", "stage_setting", "annual_target", "annual_baseline", "reminder_rule",
                            "program_year", "hnte_batch"})
SKIPPED_COLUMNS = frozenset({"updated_at", "created_at"})
_registered = False


def register_settings_audit() -> None:
    """Listen to every session's flushes (once per process; the listener does nothing outside a web request)."""
    global _registered
    if not _registered:
        event.listen(Session, "before_flush", _audit_settings)
        _registered = True


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    return str(value)


def _changes(obj) -> dict:
    changes = {}
    for attr in inspect(obj).attrs:
        if attr.key in SKIPPED_COLUMNS or not hasattr(obj.__class__, "__table__") or \
                attr.key not in obj.__table__.columns:
            continue
        history = attr.load_history()
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[attr.key] = [_plain(old), _plain(new)]
    return changes


def _audit_settings(session, flush_context, instances) -> None:
    if not has_request_context():
        return
    from flask_login import current_user

    from pipeline.web import client_ip

    if not getattr(current_user, "is_authenticated", False):
        return
    rows = [(obj, "new") for obj in session.new] + [(obj, "changed") for obj in session.dirty] + \
        [(obj, "deleted") for obj in session.deleted]
    for obj, what in rows:
        table = getattr(obj, "__tablename__", "")
        if table not in WATCHED_TABLES:
            continue
        changes = _changes(obj) if what != "deleted" else {}
        if what == "changed" and not changes:
            continue
        key = inspect(obj).identity
        session.add(AuditEvent(kind=AuditKind.SETTING_CHANGED.value, at=utcnow(), actor_id=current_user.id,
                               actor_name=current_user.username[:64], target_name="", ip=client_ip(),
                               details={"setting": table, "row": _plain(key[0]) if key else None, "action": what,
                                        **changes}))
