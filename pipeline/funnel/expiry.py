"""Automatic expiry: every record whose certificate or registration has expired moves to 已过期 through move_firm.

A record expires the day after its `expires_on`: a 科小 number (valid to 31 December) on 1 January, a 高企
certificate the day after the date on it, any other track by the expiry date its validity rule gave. The daily
scheduler job and `flask funnel expire` run the same function; a record already moved is not found again, so a
second run changes nothing. The notice to the firm and its officer is reminder rule cert_expired.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from pipeline.domain.stages import HOLDING, Stage
from pipeline.extensions import db
from pipeline.funnel.models import FirmTrack
from pipeline.funnel.services import move_firm
from pipeline.tenancy.scope import for_each_county

EXPIRY_NOTE = "到期"
CHUNK = 500  # records moved per transaction: 1 January expires a whole year of 科小 at once


def list_due_expiries(today: date, limit: int = CHUNK) -> list[FirmTrack]:
    """Records still in a stage that holds the status although their expiry date lies before `today`."""
    return list(db.session.scalars(select(FirmTrack).where(
        FirmTrack.stage.in_(list(HOLDING)), FirmTrack.expires_on < today).order_by(FirmTrack.id).limit(limit)))


def expire_records(today: date, *, now: datetime, limit: int = CHUNK) -> int:
    """Move up to `limit` expired records to 已过期 as the system (reason 到期); return how many moved. Flushes."""
    records = list_due_expiries(today, limit)
    for record in records:
        move_firm(record, Stage.EXPIRED, actor=None, now=now, today=today, note=EXPIRY_NOTE)
    return len(records)


def expire_all(today: date, *, now: datetime) -> int:
    """Expire every due record, committing after each chunk; return how many moved."""
    total = 0
    while moved := expire_records(today, now=now):
        db.session.commit()
        total += moved
    return total


@for_each_county
def expire_records_job(now: datetime) -> str | None:
    """The scheduler's daily run (Asia/Shanghai day)."""
    from pipeline.i18n import to_local

    moved = expire_all(to_local(now).date(), now=now)
    return f"已过期 {moved} 条" if moved else None
