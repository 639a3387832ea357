"""Users, their roles and the login attempts that the lock-out counts."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.domain.text import N_
from pipeline.tenancy.models import default_county_id


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    LEADER = "leader"  # read-only
    FIRM = "firm"  # bound to one firm


ROLE_LABELS = {Role.ADMIN: N_("管理员"), Role.OFFICER: N_("科技专员"), Role.LEADER: N_("局领导"), Role.FIRM: N_("企业用户")}
STAFF_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.LEADER})


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


user_town = Table(
    "user_town",
    Base.metadata,
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("town_id", Integer, ForeignKey("town.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    # Issue 24: the authority the user works for (a county; a city or province for roll-up readers). No foreign
    # key, as county_id (pipeline/tenancy/models.py).
    authority_id: Mapped[int] = mapped_column(Integer, default=default_county_id, index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    # Rotated on logout and password change: every cookie that carries an older token stops working.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Accounts (issue 19, migration 0018): a CLI-made or temporary password must be changed at the next login;
    # an invited user has no usable password until the invitation's link is used.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # base32; set once enrolment is confirmed
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code's time step is accepted only once
    reports_monthly: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 每月接收漏斗报告

    firm = relationship("Firm", foreign_keys=[firm_id])
    # Loaded when asked for (an officer's scope), not with every user: admins, firm users and a move's actor
    # never read it.
    towns = relationship("Town", secondary=user_town, order_by="Town.sort_order")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def label(self) -> str:
        return self.display_name or self.username


class LoginAttempt(Base):
    """One row per login attempt; the lock-out counts failures here so that it holds across workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class ThrottleScope(StrEnum):
    ACCOUNT_ADDRESS = "account_address"  # one user name from one client address
    ADDRESS = "address"  # one client address, any user names
    ACCOUNT = "account"  # one user name, from addresses it has not logged in from


THROTTLE_SCOPE_LABELS = {ThrottleScope.ACCOUNT_ADDRESS: N_("账号 + 地址"), ThrottleScope.ADDRESS: N_("地址"),
                         ThrottleScope.ACCOUNT: N_("账号（陌生地址）")}


class LoginThrottle(Base):
    """Failed logins counted per scope and key (pipeline/auth/throttle.py); the admin sees and clears them."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("scope", "username", "ip"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(64), default="")  # "" for the address scope
    ip: Mapped[str] = mapped_column(String(45), default="")  # "" for the account scope
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
