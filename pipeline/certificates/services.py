"""Issue, re-issue and revoke certificates. Services flush, never commit; the caller commits once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from pipeline.certificates.documents import CertificateDocument, make_certificate_document
from pipeline.certificates.models import Certificate, CertificateKind, CertificateStatus
from pipeline.domain.stages import Stage
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.i18n import to_local
from pipeline.pdf import render_pdf

# 32 letters and digits without look-alikes (no I, O, 0, 1): 20 of them carry 100 bits from `secrets`.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20
ADMITTED_STAGES = frozenset({Stage.POOL, Stage.CULTIVATING})
TEMPLATE = "pdf/certificate.html"


class CertificateError(Exception):
    """A refusal to show the user as it is (Chinese); nothing was changed."""


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str | None) -> str | None:
    """Accept a code as typed (lower case, spaces, hyphens); None when it cannot be one of ours."""
    code = "".join((text or "").split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def valid_certificate(record, kind: CertificateKind = CertificateKind.ADMISSION) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.firm_track_id == record.id, Certificate.kind == kind,
        Certificate.status == CertificateStatus.VALID))


def _document(record, *, number: str, year: int, issued_on, reissued_on=None) -> CertificateDocument:
    config = current_app.config
    return make_certificate_document(
        firm_name=record.firm.name, credit_code=record.firm.credit_code, track_name=record.track.name,
        number=number, year=year, issued_on=issued_on, reissued_on=reissued_on,
        authority=config["PIPELINE_AUTHORITY_NAME"], verification_code=new_verification_code(),
        external_url=config["PIPELINE_EXTERNAL_URL"])


def _store(record, document: CertificateDocument, pdf: bytes, *, actor, now: datetime, **values) -> Certificate:
    """Keep the snapshot, the PDF bytes and their SHA-256 (callers render first: a failure changes nothing)."""
    certificate = Certificate(
        firm_id=record.firm_id, firm_track_id=record.id, track_id=record.track_id, kind=CertificateKind.ADMISSION,
        number=document.number, year=document.year, issued_on=document.issued_on,
        verification_code=document.verification_code, status=CertificateStatus.VALID, issued_at=now,
        issued_by_id=actor.id if actor else None, snapshot=document.snapshot(), pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(), **values)
    db.session.add(certificate)
    db.session.flush()
    return certificate


def issue_admission_certificate(record, *, actor, now: datetime) -> Certificate:
    """Issue the 入库证书 of a record in the pool; its valid copy is returned unchanged if it has one already."""
    if record.pool_number is None or record.stage not in ADMITTED_STAGES:
        raise CertificateError(_("该企业未在培育库中或尚无入库编号，不能发放入库证书。"))
    current = valid_certificate(record)
    if current is not None and current.number == record.pool_number:
        return current
    today = to_local(now).date()
    document = _document(record, number=record.pool_number, year=today.year, issued_on=today)
    pdf = render_pdf(TEMPLATE, document)
    if current is not None:  # admitted again under a new number: the old copy gives way
        _supersede(current, now)
    return _store(record, document, pdf, actor=actor, now=now)


def _supersede(certificate: Certificate, now: datetime) -> None:
    certificate.status = CertificateStatus.SUPERSEDED
    certificate.superseded_at = now
    db.session.flush()  # before the new valid copy: one valid copy per record at any moment


def _checked_reason(certificate: Certificate, reason: str | None, *, invalid: str, missing: str) -> str:
    reason = (reason or "").strip()
    if certificate.status is not CertificateStatus.VALID:
        raise CertificateError(_(invalid))
    if not reason:
        raise CertificateError(_(missing))
    return reason[:500]


def describe_changes(old: dict, new: dict) -> str:
    """Say what a re-issued copy changes, e.g. 企业名称：甲公司 → 乙公司."""
    labels = {"firm_name": "企业名称", "credit_code": "统一社会信用代码", "track_name": "培育类别", "authority": "发证机关"}
    changes = [f"{label}：{old.get(key)} → {new.get(key)}" for key, label in labels.items() if old.get(key) != new.get(key)]
    return "；".join(changes) or "证书内容无变化"


def reissue_certificate(certificate: Certificate, *, actor, now: datetime, reason: str) -> Certificate:
    """Replace a valid certificate by a new copy with today's firm data, the same number and the same validity."""
    reason = _checked_reason(certificate, reason, invalid=N_("只有有效的证书可以换发。"),
                            missing=N_("请填写换发原因。"))
    document = _document(certificate.record, number=certificate.number, year=certificate.year,
                         issued_on=certificate.issued_on, reissued_on=to_local(now).date())
    pdf = render_pdf(TEMPLATE, document)
    _supersede(certificate, now)
    return _store(certificate.record, document, pdf, actor=actor, now=now, supersedes_id=certificate.id,
                  reissue_reason=reason, change_note=describe_changes(certificate.snapshot, document.snapshot()))


def reissue_after_rename(firm, *, actor, now: datetime, old_name: str) -> list[Certificate]:
    """Re-issue every valid certificate of a firm whose name changed (call it from the firm edit service)."""
    stmt = select(Certificate).where(Certificate.firm_id == firm.id, Certificate.status == CertificateStatus.VALID)
    return [reissue_certificate(certificate, actor=actor, now=now, reason=f"企业名称变更（原名称：{old_name}）")
            for certificate in db.session.scalars(stmt).all()]


def revoke_certificate(certificate: Certificate, *, actor, now: datetime, reason: str) -> Certificate:
    """Revoke a valid certificate with a reason; the verify page shows it as revoked from now on."""
    reason = _checked_reason(certificate, reason, invalid=N_("该证书已失效，无需撤销。"),
                            missing=N_("请填写撤销原因。"))
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_reason = reason
    certificate.revoked_at = now
    certificate.revoked_by_id = actor.id if actor else None
    db.session.flush()
    return certificate


def revoke_certificates_of_record(record, *, actor, now: datetime, reason: str) -> list[Certificate]:
    """Revoke what is valid on one record (the firm left the pool)."""
    stmt = select(Certificate).where(Certificate.firm_track_id == record.id,
                                     Certificate.status == CertificateStatus.VALID)
    return [revoke_certificate(c, actor=actor, now=now, reason=reason) for c in db.session.scalars(stmt).all()]
