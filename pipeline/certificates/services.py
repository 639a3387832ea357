"""Issue, re-issue and revoke certificates. Services flush, never commit; the caller commits once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from pipeline.certificates.documents import certificate_document, certificate_snapshot
from pipeline.certificates.models import Certificate, CertificateKind, CertificateStatus
from pipeline.certificates.seal import seal_data_uri, seal_for_certificate
from pipeline.db import insert_or_ignore
from pipeline.domain.stages import Stage
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.i18n import to_local
from pipeline.pdf import render_pdf
from pipeline.tenancy.scope import county_for_new_rows
from pipeline.tenancy.services import bureau_name

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


def certificate_values(*, firm_id: int, firm_track_id: int, track_id: int, firm_name: str, credit_code: str,
                       track_name: str, number: str, year: int, issued_on: date, reissued_on: date | None = None,
                       actor_id: int | None, now: datetime) -> dict:
    """The columns of a new valid 入库证书 copy: number, a fresh verification code and the snapshot, no PDF yet."""
    config = current_app.config
    code = new_verification_code()
    snapshot = certificate_snapshot(
        firm_name=firm_name, credit_code=credit_code, track_name=track_name, number=number, year=year,
        issued_on=issued_on, reissued_on=reissued_on, authority=bureau_name(county_for_new_rows(firm_id=firm_id)),
        verification_code=code, external_url=config["PIPELINE_EXTERNAL_URL"])
    return {"firm_id": firm_id, "firm_track_id": firm_track_id, "track_id": track_id, "kind": CertificateKind.ADMISSION,
            "number": number, "year": year, "issued_on": issued_on, "verification_code": code,
            "status": CertificateStatus.VALID, "issued_at": now, "issued_by_id": actor_id, "snapshot": snapshot}


def _copy_values(record, *, actor, now: datetime, **document) -> dict:
    """certificate_values() for a copy made from the record's current firm data."""
    return certificate_values(firm_id=record.firm_id, firm_track_id=record.id, track_id=record.track_id,
                              firm_name=record.firm.name, credit_code=record.firm.credit_code,
                              track_name=record.track.name, actor_id=actor.id if actor else None, now=now, **document)


def _store(values: dict, **extra) -> Certificate:
    certificate = Certificate(**values, **extra)
    db.session.add(certificate)
    db.session.flush()
    return certificate


def issue_admission_certificate(record, *, actor, now: datetime) -> Certificate:
    """Issue the 入库证书 of a record in the pool; its valid copy is returned unchanged if it has one already."""
    return db.session.get(Certificate, ensure_admission_certificate(record, actor=actor, now=now))


def ensure_admission_certificate(record, *, actor, now: datetime) -> int:
    """The id of the valid 入库证书 of a record in the pool, issued now if it has none. Every move into 入库 runs
    this: in the usual case it is one INSERT and loads no object."""
    if record.pool_number is None or record.stage not in ADMITTED_STAGES:
        raise CertificateError(_("该企业未在培育库中或尚无入库编号，不能发放入库证书。"))
    today = to_local(now).date()
    values = _copy_values(record, number=record.pool_number, year=today.year, issued_on=today, actor=actor, now=now)
    # The partial unique index refuses a second valid copy, and only then is the current one looked at.
    issued = insert_or_ignore(db.session, Certificate, values)
    if issued is not None:
        return issued
    current = valid_certificate(record)
    if current is None:  # the clash was another unique value: a verification code drawn twice; draw again
        return _store(_copy_values(record, number=record.pool_number, year=today.year, issued_on=today, actor=actor,
                                   now=now)).id
    if current.number == record.pool_number:
        return current.id
    _supersede(current, now)  # admitted again under a new number: the old copy gives way
    return _store(values).id


def certificate_pdf(certificate: Certificate) -> bytes:
    """The PDF of a copy: rendered from its snapshot on first use and stored, so that every later download (and its
    SHA-256) is the same. Raises PdfError when rendering fails; the caller commits what was stored."""
    if certificate.pdf is None:
        # The firm's county's setting when the copy is first rendered, then kept.
        seal = seal_data_uri(seal_for_certificate(db.session.scalar(
            select(Firm.county_id).where(Firm.id == certificate.firm_id))))
        pdf = render_pdf(TEMPLATE, certificate_document(certificate.snapshot, certificate.verification_code,
                                                        seal_image=seal))
        # Only the first renderer stores: two workers rendering the same copy at once keep one set of bytes.
        db.session.execute(update(Certificate).where(Certificate.id == certificate.id, Certificate.pdf_sha256.is_(None))
                           .values(pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest())
                           .execution_options(synchronize_session=False))
        db.session.refresh(certificate, ["pdf", "pdf_sha256"])
    return certificate.pdf


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
    values = _copy_values(certificate.record, number=certificate.number, year=certificate.year,
                          issued_on=certificate.issued_on, reissued_on=to_local(now).date(), actor=actor, now=now)
    _supersede(certificate, now)
    return _store(values, supersedes_id=certificate.id, reissue_reason=reason,
                  change_note=describe_changes(certificate.snapshot, values["snapshot"]))


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
