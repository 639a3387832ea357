"""What the API reads: each list as a statement of (entity, change time, …) for read_page, and the single reads.

Every read goes through the ORM, so the request's tenancy scope (the client's authority) limits it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from pipeline.api.cursor import Page, read_page
from pipeline.certificates.models import Certificate
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, StageMove, Track
from pipeline.indicators.models import FirmFacts, FirmYear, Source


def list_firms(*, limit: int, cursor: str | None, since: datetime | None) -> Page:
    return read_page(select(Firm, Firm.updated_at), Firm.updated_at, Firm.id, limit=limit, cursor=cursor, since=since)


def get_firm_by_code(credit_code: str) -> Firm | None:
    return db.session.scalar(select(Firm).where(Firm.credit_code == credit_code.strip().upper()))


def list_records(*, track: str | None, limit: int, cursor: str | None, since: datetime | None) -> Page:
    """Records with their track and firm's code; a record's change time is its last activity (a move or a
    service: firm_track has no updated_at)."""
    statement = (select(FirmTrack, FirmTrack.last_activity_at, Firm.credit_code)
                 .join(Firm, Firm.id == FirmTrack.firm_id))
    if track:
        statement = statement.join(Track, Track.id == FirmTrack.track_id).where(Track.code == track)
    return read_page(statement, FirmTrack.last_activity_at, FirmTrack.id, limit=limit, cursor=cursor, since=since)


def get_record(record_id: int) -> FirmTrack | None:
    return db.session.scalar(select(FirmTrack).where(FirmTrack.id == record_id))


def list_moves(record: FirmTrack, *, limit: int, cursor: str | None, since: datetime | None) -> Page:
    """A record's stage history, oldest first; a move never changes, so its time is when it was made."""
    statement = select(StageMove, StageMove.moved_at).where(StageMove.firm_track_id == record.id)
    return read_page(statement, StageMove.moved_at, StageMove.id, limit=limit, cursor=cursor, since=since)


def list_firm_years(*, limit: int, cursor: str | None, since: datetime | None) -> Page:
    """The bureau's (official) figures per firm and fiscal year."""
    statement = (select(FirmYear, FirmYear.updated_at, Firm.credit_code).join(Firm, Firm.id == FirmYear.firm_id)
                 .where(FirmYear.source == Source.OFFICIAL.value))
    return read_page(statement, FirmYear.updated_at, FirmYear.id, limit=limit, cursor=cursor, since=since)


def list_firm_facts(*, limit: int, cursor: str | None, since: datetime | None) -> Page:
    """The bureau's (official) facts per firm."""
    statement = (select(FirmFacts, FirmFacts.updated_at, Firm.credit_code).join(Firm, Firm.id == FirmFacts.firm_id)
                 .where(FirmFacts.source == Source.OFFICIAL.value))
    return read_page(statement, FirmFacts.updated_at, FirmFacts.id, limit=limit, cursor=cursor, since=since)


# A copy changes when it is issued, then at most once more: superseded by a re-issue or revoked.
CERTIFICATE_CHANGED_AT = func.coalesce(Certificate.revoked_at, Certificate.superseded_at, Certificate.issued_at)


def list_certificates(*, limit: int, cursor: str | None, since: datetime | None) -> Page:
    statement = (select(Certificate, CERTIFICATE_CHANGED_AT, Firm.credit_code)
                 .join(Firm, Firm.id == Certificate.firm_id))
    return read_page(statement, CERTIFICATE_CHANGED_AT, Certificate.id, limit=limit, cursor=cursor, since=since)
