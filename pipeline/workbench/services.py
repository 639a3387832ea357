"""Marking a workbench to-do done (it stays done until its thing happens again)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from pipeline.auth.models import User
from pipeline.extensions import db
from pipeline.workbench.models import WorkbenchDone

KINDS = ("verify", "verify_facts", "stale", "expiry", "deadline", "checklist")


class WorkbenchError(ValueError):
    pass


def mark_done(user: User, kind: str, ref_id: int, *, now: datetime) -> WorkbenchDone:
    """Record that the user has dealt with a to-do now (a later mark of the same to-do replaces the earlier one)."""
    if kind not in KINDS:
        raise WorkbenchError(kind)
    db.session.execute(delete(WorkbenchDone).where(WorkbenchDone.user_id == user.id, WorkbenchDone.kind == kind,
                                                   WorkbenchDone.ref_id == ref_id))
    mark = WorkbenchDone(user_id=user.id, kind=kind, ref_id=ref_id, done_at=now)
    db.session.add(mark)
    db.session.flush()
    return mark
