"""Firm documents (企业材料): an admin-changeable list of types, and per firm documents with their versions.

The bytes live in the database (document_version.content, loaded only for a download): several web hosts share one
PostgreSQL, and one database backup covers the documents too (README, 企业材料).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow


class DocumentType(Base):
    """A kind of paper the process runs on (审计报告, 营业执照 …); rows seeded by migration 0019, changed by the admin."""

    __tablename__ = "document_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    needs_fiscal_year: Mapped[bool] = mapped_column(Boolean, default=False)  # an audit report is of one fiscal year
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)  # many at once (IP certificates, photos)
    firm_may_upload: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Document(Base):
    """One paper of a firm (e.g. its 2025 audit report); each upload of it is a version, the newest is current."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("firm_id", "slot"), Index("ix_document_firm_id_type_id", "firm_id", "type_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"))
    type_id: Mapped[int] = mapped_column(ForeignKey("document_type.id"), index=True)
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    service_record_id: Mapped[int | None] = mapped_column(ForeignKey("service_record.id", ondelete="CASCADE"),
                                                          index=True)
    # What a new upload supersedes: one per type and year, per service record, or a new key for each upload of a
    # type that may have many (so that two uploads at once cannot make two "current" audit reports).
    slot: Mapped[str] = mapped_column(String(80))
    latest_number: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    type = relationship("DocumentType")
    firm = relationship("Firm")


class DocumentVersion(Base):
    """One upload: the file as received (checked by content), its date, who uploaded it and when."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(10))  # pdf, jpeg, png, xlsx, docx, ofd: found in the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    dated_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    document = relationship("Document")
    uploaded_by = relationship("User")
