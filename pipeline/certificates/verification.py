"""The public verify page's logic: find a certificate by its code, and a rate limit that every worker shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select

from pipeline.certificates.models import Certificate, CertificateStatus, VerifyHit
from pipeline.certificates.services import normalize_code
from pipeline.extensions import db
from pipeline.i18n import to_local

KEEP_HITS = timedelta(days=1)


def allow_verify_request(ip: str, now: datetime, *, limit: int, window_seconds: int) -> bool:
    """Count this request against the address; False once it made `limit` requests within the window."""
    db.session.execute(delete(VerifyHit).where(VerifyHit.at < now - KEEP_HITS))
    since = now - timedelta(seconds=window_seconds)
    recent = db.session.scalar(select(func.count(VerifyHit.id)).where(VerifyHit.ip == ip, VerifyHit.at >= since))
    if recent >= limit:
        return False
    db.session.add(VerifyHit(ip=ip[:45], at=now))
    db.session.flush()
    return True


@dataclass(frozen=True)
class TrackNames:
    """The track's names, for the `track_name` filter (the certificate itself is in Chinese)."""

    name: str
    name_en: str


@dataclass(frozen=True)
class VerifyResult:
    """What the public may learn: status, what the certificate is, who issued it to which firm (name and the public
    统一社会信用代码), number and dates, nothing else."""

    status: CertificateStatus
    firm_name: str
    credit_code: str
    track: TrackNames
    authority: str
    year: int
    number: str
    issued_on: date
    reissued_on: date | None
    ended_on: date | None  # superseded or revoked on


def verify_code(text: str | None) -> VerifyResult | None:
    """Look a typed or scanned code up; None when no certificate has it."""
    code = normalize_code(text)
    if code is None:
        return None
    certificate = db.session.scalar(select(Certificate).where(Certificate.verification_code == code))
    if certificate is None:
        return None
    ended = {CertificateStatus.SUPERSEDED: certificate.superseded_at,
             CertificateStatus.REVOKED: certificate.revoked_at}.get(certificate.status)
    snapshot = certificate.snapshot
    reissued = snapshot.get("reissued_on")
    return VerifyResult(
        status=certificate.status, firm_name=snapshot.get("firm_name", ""), credit_code=snapshot.get("credit_code", ""),
        track=TrackNames(snapshot.get("track_name", ""), certificate.track.name_en),
        authority=snapshot.get("authority", ""), year=snapshot.get("year", certificate.year), number=certificate.number, issued_on=certificate.issued_on,
        reissued_on=date.fromisoformat(reissued) if reissued else None,
        ended_on=to_local(ended).date() if ended else None)
