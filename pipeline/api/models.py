"""API clients (issue 24): who may call the read-only API, the calls they made and their rate windows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.domain.text import N_


class ApiScope(StrEnum):
    FIRMS = "firms"
    RECORDS = "records"
    INDICATORS = "indicators"
    CERTIFICATES = "certificates"
    TARGETS = "targets"
    CONTACTS = "contacts"  # firms' contact details (name, phone, e-mail) in the firm data; without it they are left out


SCOPE_LABELS = {
    ApiScope.FIRMS: N_("企业基本信息"),
    ApiScope.RECORDS: N_("培育记录与阶段历程"),
    ApiScope.INDICATORS: N_("企业指标"),
    ApiScope.CERTIFICATES: N_("入库证书"),
    ApiScope.TARGETS: N_("年度目标完成情况"),
    ApiScope.CONTACTS: N_("企业联系人信息"),
}


class ApiClient(Base):
    """A system allowed to read the API with one bearer token. Only the token's SHA-256 is kept (the token is 256
    random bits, so a plain hash cannot be guessed back); its first characters identify it in the admin's list."""

    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    scopes: Mapped[list] = mapped_column(JSON, default=list)  # ApiScope values
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    authority = relationship("Authority")
    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiCall(Base):
    """One API request: which client (None: no valid token), what, the answer's status, when, from where."""

    __tablename__ = "api_call"
    __table_args__ = (Index("ix_api_call_client_id_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))  # with its query string, cut to the column
    status: Mapped[int] = mapped_column(Integer)
    ip: Mapped[str] = mapped_column(String(45), default="")


class ApiRateWindow(Base):
    """A client's calls in one minute, counted in the database so that every web worker shares the count."""

    __tablename__ = "api_rate_window"

    client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id", ondelete="CASCADE"), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
