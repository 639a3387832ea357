"""The audit log seen from the views: a download of firm data is recorded (and committed) before it starts."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.extensions import db


def audit_download(name: str) -> None:
    """Record who downloads which export with which filter, and commit: the row stays even if the download breaks
    off. Called by a download view as its one commit."""
    record_event(AuditKind.EXPORT, actor=current_user, export=name, filters=request.args.to_dict() or None)
    db.session.commit()
