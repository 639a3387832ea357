"""Record an event in the audit log, in the caller's transaction (a rolled-back change leaves no trace)."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context

from pipeline.audit.models import AuditEvent, AuditKind
from pipeline.db import utcnow
from pipeline.extensions import db


def record_event(kind: AuditKind, /, *, actor=None, target=None, actor_name: str = "", now: datetime | None = None,
                 ip: str | None = None, **details) -> AuditEvent:
    """Append one audit row: who (a User, or a name tried at the login), about whom, from where, what changed."""
    if ip is None and has_request_context():
        from pipeline.web import client_ip

        ip = client_ip()
    event = AuditEvent(kind=AuditKind(kind).value, at=now or utcnow(),
                       actor_id=getattr(actor, "id", None), actor_name=(actor_name or getattr(actor, "username", ""))[:64],
                       target_user_id=getattr(target, "id", None), target_name=getattr(target, "username", "")[:64],
                       ip=(ip or "")[:45], details={key: value for key, value in details.items() if value is not None})
    db.session.add(event)
    db.session.flush()
    return event

