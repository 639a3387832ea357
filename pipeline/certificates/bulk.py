"""Issue the missing 入库证书 of a whole county at once (the bulk county builder)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from pipeline.certificates.models import Certificate
from pipeline.certificates.queries import issuable
from pipeline.certificates.services import certificate_values
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, Track
from pipeline.i18n import to_local

CHUNK = 5_000


def insert_pending_certificates(now: datetime) -> int:
    """Give every pool record without a valid 入库证书 one, unrendered, in chunked inserts; return how many."""
    stmt = (select(FirmTrack.id, FirmTrack.firm_id, FirmTrack.track_id, FirmTrack.pool_number, Firm.name,
                   Firm.credit_code, Track.name)
            .join(Firm, Firm.id == FirmTrack.firm_id).join(Track, Track.id == FirmTrack.track_id)
            .where(issuable()).order_by(FirmTrack.id))
    today = to_local(now).date()
    rows = [certificate_values(firm_id=firm_id, firm_track_id=record_id, track_id=track_id, firm_name=firm_name,
                               credit_code=credit_code, track_name=track_name, number=pool_number, year=today.year,
                               issued_on=today, actor_id=None, now=now)
            for record_id, firm_id, track_id, pool_number, firm_name, credit_code, track_name
            in db.session.execute(stmt)]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(Certificate), rows[start:start + CHUNK])
    return len(rows)
