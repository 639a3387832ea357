"""Issued certificates (stored with their data snapshot and, once rendered, their PDF), batch re-issues and the verify page's hit log."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.domain.text import N_
from pipeline.tenancy.models import CountyOwned


def _enum(cls, length=16):
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class CertificateKind(StrEnum):
    ADMISSION = "admission"  # 入库证书


class CertificateStatus(StrEnum):
    VALID = "valid"  # 有效
    SUPERSEDED = "superseded"  # 已换发 (a newer copy with the same number replaces it)
    REVOKED = "revoked"  # 已撤销


CERTIFICATE_KIND_LABELS = {CertificateKind.ADMISSION: N_("入库证书")}
CERTIFICATE_STATUS_LABELS = {
    CertificateStatus.VALID: N_("有效"),
    CertificateStatus.SUPERSEDED: N_("已换发"),
    CertificateStatus.REVOKED: N_("已撤销"),
}


class Certificate(Base):
    """One printed copy of a certificate. A re-issue adds a copy with the same number and supersedes this one."""

    __tablename__ = "certificate"
    __table_args__ = (
        Index("ix_certificate_year_status", "year", "status"),
        Index("ix_certificate_firm_id_issued_at", "firm_id", "issued_at"),
        Index("ix_certificate_issued_at_id", "issued_at", "id"),  # the list's order: its first page reads 100 entries
        # At most one valid copy per record and kind, also when two workers issue at the same moment.
        Index("ix_certificate_one_valid", "firm_track_id", "kind", unique=True,
              sqlite_where=text("status = 'valid'"), postgresql_where=text("status = 'valid'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"))
    # Indexed on its own: SQLite cannot use the partial ix_certificate_one_valid when the status is a bound parameter.
    firm_track_id: Mapped[int] = mapped_column(ForeignKey("firm_track.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(_enum(CertificateKind), default=CertificateKind.ADMISSION)
    number: Mapped[str] = mapped_column(String(32), index=True)  # the pool number; kept by every re-issue
    year: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)  # first issue; a re-issue keeps it (same validity)
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[CertificateStatus] = mapped_column(_enum(CertificateStatus), default=CertificateStatus.VALID)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when this copy was made
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id", ondelete="SET NULL"), index=True)
    reissue_reason: Mapped[str] = mapped_column(Text, default="")
    change_note: Mapped[str] = mapped_column(Text, default="")  # what changed against the superseded copy
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    snapshot: Mapped[dict] = mapped_column(JSON)  # the plain values the PDF is rendered from
    # Rendered on first use (services.certificate_pdf) and kept: issuing in a move or in bulk stays cheap.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))

    firm = relationship("Firm")
    record = relationship("FirmTrack")
    track = relationship("Track", lazy="joined")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])
    supersedes = relationship("Certificate", remote_side=[id], foreign_keys=[supersedes_id])

    @property
    def firm_name(self) -> str:
        """The name printed on this copy (the firm may have been renamed since)."""
        return self.snapshot.get("firm_name", "")


class BatchStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class CertificateBatch(CountyOwned, Base):
    """A batch re-issue run outside the request; its progress lives here so that every worker can report it."""

    __tablename__ = "certificate_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[BatchStatus] = mapped_column(_enum(BatchStatus), default=BatchStatus.QUEUED, index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    zip_path: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User")


class VerifyHit(Base):
    """One request to the public verify page, counted per client address (shared by every worker)."""

    __tablename__ = "verify_hit"
    __table_args__ = (Index("ix_verify_hit_ip_at", "ip", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # old hits are deleted by age


class CertificateSeal(CountyOwned, Base):
    """A county admin's seal setting (one row per county; no row means off): many bureaus may not print an imitation
    seal, so the 入库证书 carries none unless the admin turns it on with the bureau's uploaded official 电子印章 (a
    PNG). A county's certificates carry its own seal."""

    __tablename__ = "certificate_seal"
    __table_args__ = (Index("ix_certificate_seal_county_id", "county_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    image: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    updated_by = relationship("User")
