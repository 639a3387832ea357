"""Read-side queries of certificates, always scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from pipeline.auth.models import User
from pipeline.auth.permissions import can_see_firm, visible_town_ids
from pipeline.certificates.models import Certificate, CertificateBatch, CertificateStatus
from pipeline.certificates.services import ADMITTED_STAGES
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack

PAGE_SIZE = 100


def get_certificate_or_404(certificate_id: int, for_user: User) -> Certificate:
    """A certificate of a firm the user may see; anything else is 404."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not can_see_firm(for_user, certificate.firm):
        abort(404)
    return certificate


def get_own_certificate_or_404(certificate_id: int, firm_id: int) -> Certificate:
    """The portal's view: only the firm's own, valid certificates exist."""
    certificate = db.session.scalar(select(Certificate).where(
        Certificate.id == certificate_id, Certificate.firm_id == firm_id,
        Certificate.status == CertificateStatus.VALID))
    if certificate is None:
        abort(404)
    return certificate


def get_record_or_404(record_id: int, for_user: User) -> FirmTrack:
    record = db.session.get(FirmTrack, record_id)
    if record is None or not can_see_firm(for_user, record.firm):
        abort(404)
    return record


@dataclass(frozen=True)
class CertificateFilter:
    year: int | None = None
    status: CertificateStatus | None = None
    track_id: int | None = None
    q: str = ""


def list_certificates(for_user: User, filters: CertificateFilter, *, page: int = 1) -> tuple[list[Certificate], int]:
    """One page of certificates (newest copy first) and the total, in the user's towns."""
    stmt, towns = select(Certificate), visible_town_ids(for_user)
    if towns is not None or filters.q:  # only then: the count of all certificates needs no firm
        stmt = stmt.join(Firm, Firm.id == Certificate.firm_id)
    if towns is not None:
        stmt = stmt.where(Firm.town_id.in_(towns))
    if filters.year:
        stmt = stmt.where(Certificate.year == filters.year)
    if filters.status:
        stmt = stmt.where(Certificate.status == filters.status)
    if filters.track_id:
        stmt = stmt.where(Certificate.track_id == filters.track_id)
    if filters.q:
        stmt = stmt.where(Firm.name.contains(filters.q, autoescape=True)
                          | Certificate.number.contains(filters.q, autoescape=True)
                          | Firm.credit_code.contains(filters.q.upper(), autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.options(joinedload(Certificate.firm)).order_by(
        Certificate.issued_at.desc(), Certificate.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return list(rows), total


def certificate_years() -> list[int]:
    return list(db.session.scalars(select(Certificate.year).distinct().order_by(Certificate.year.desc())))


def list_firm_certificates(firm_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.firm_id == firm_id).order_by(
        Certificate.issued_at.desc(), Certificate.id.desc())))


def list_certificate_chain(certificate: Certificate) -> list[Certificate]:
    """Every copy with this certificate's number on the same record, newest first."""
    return list(db.session.scalars(select(Certificate).where(
        Certificate.firm_track_id == certificate.firm_track_id, Certificate.number == certificate.number).order_by(
        Certificate.issued_at.desc(), Certificate.id.desc())))


def issuable():
    """Condition on FirmTrack: a pool record with a pool number but no valid certificate (the move could not issue
    one, or the bulk county left it to be issued)."""
    has_valid = select(Certificate.id).where(Certificate.firm_track_id == FirmTrack.id,
                                             Certificate.status == CertificateStatus.VALID).exists()
    return and_(FirmTrack.stage.in_(ADMITTED_STAGES), FirmTrack.pool_number.is_not(None), ~has_valid)


def list_issuable_records(firm_id: int) -> list[FirmTrack]:
    """A firm's pool records that lack their valid certificate."""
    return list(db.session.scalars(select(FirmTrack).where(FirmTrack.firm_id == firm_id, issuable())))


def list_batches(limit: int = 20) -> list[CertificateBatch]:
    return list(db.session.scalars(select(CertificateBatch).order_by(CertificateBatch.id.desc()).limit(limit)))


def get_batch_or_404(batch_id: int) -> CertificateBatch:
    batch = db.session.get(CertificateBatch, batch_id)
    if batch is None:
        abort(404)
    return batch


@dataclass(frozen=True)
class FirmCertificatePanel:
    certificates: list
    issuable: list
    may_edit: bool


def firm_certificate_panel(firm) -> FirmCertificatePanel:
    """What the firm page shows about certificates (a template global: the firm view stays untouched)."""
    from flask_login import current_user

    from pipeline.auth.permissions import can_edit

    return FirmCertificatePanel(list_firm_certificates(firm.id), list_issuable_records(firm.id), can_edit(current_user))
