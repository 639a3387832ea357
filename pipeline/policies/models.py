"""惠企政策 (the catalogue), each firm's match against each published policy, the firms that want no policy notices,
and the incentive ledger (奖补台账) with its append-only history. Amounts are in 万元, exact decimals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.tenancy.models import CountyOwned

Amount = Numeric(14, 4)  # 万元 to the 元


class Policy(CountyOwned, Base):
    """One policy document with its machine-readable conditions (JSON, pipeline/policies/conditions.py) and benefit."""

    __tablename__ = "policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(100))  # 发文单位
    document_number: Mapped[str] = mapped_column(String(60), default="")  # 新政发〔2022〕1号
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")  # what a qualifying firm does (申报方式)
    conditions: Mapped[str] = mapped_column(Text, default="{}")
    benefit_kind: Mapped[str] = mapped_column(String(10), default="other")  # fixed | rate | other
    benefit_amount: Mapped[Decimal | None] = mapped_column(Amount)
    benefit_rate: Mapped[Decimal | None] = mapped_column(Numeric(8, 4))
    benefit_cap: Mapped[Decimal | None] = mapped_column(Amount)
    benefit_text: Mapped[str] = mapped_column(String(200), default="")
    is_award: Mapped[bool] = mapped_column(Boolean, default=False)  # a government S&T award: its split is checked
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)  # draft | published | withdrawn
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attachment_name: Mapped[str | None] = mapped_column(String(160))
    attachment_kind: Mapped[str | None] = mapped_column(String(10))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class PolicyBudget(Base):
    """The money set aside for a policy in one year."""

    __tablename__ = "policy_budget"

    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Amount)


class PolicyMatch(Base):
    """A firm that qualifies or nearly qualifies for a published policy; notified_at is set once, when the notice is
    queued (never pushed twice), opened_at when the firm first opens the policy in the portal."""

    __tablename__ = "policy_match"
    __table_args__ = (UniqueConstraint("policy_id", "firm_id"), Index("ix_policy_match_firm_id_status", "firm_id",
                                                                      "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id", ondelete="CASCADE"))
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))  # qualified | near | none (matched once, no longer)
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    policy = relationship("Policy")
    firm = relationship("Firm")


class PolicyOptOut(Base):
    """A firm that asked for no policy notices (it still sees its policies in the portal)."""

    __tablename__ = "policy_opt_out"

    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"), primary_key=True)
    opted_out_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class Incentive(Base):
    """One reward or subsidy to one firm under one policy in one year: proposed → approved → paid, or declined."""

    __tablename__ = "incentive"
    __table_args__ = (UniqueConstraint("policy_id", "firm_id", "year"), Index("ix_incentive_year_status", "year",
                                                                              "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id", ondelete="CASCADE"))
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id"))  # the policy's track, for the figures
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="proposed")  # proposed | approved | paid | declined
    amount: Mapped[Decimal] = mapped_column(Amount)  # proposed or approved amount
    paid_amount: Mapped[Decimal | None] = mapped_column(Amount)
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_document: Mapped[str] = mapped_column(String(60), default="")  # 拨付文号
    team_amount: Mapped[Decimal | None] = mapped_column(Amount)  # award funds: to the research team
    main_amount: Mapped[Decimal | None] = mapped_column(Amount)  # of which to the main contributors
    origin: Mapped[str] = mapped_column(String(40), default="")  # e.g. stage_move:123 for an automatic proposal
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    policy = relationship("Policy")
    firm = relationship("Firm")
    track = relationship("Track")
    changes = relationship("IncentiveChange", order_by="IncentiveChange.id", back_populates="incentive")


class IncentiveChange(Base):
    """One step of an incentive (append-only): who, when, from which status to which, the amount and a note."""

    __tablename__ = "incentive_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    incentive_id: Mapped[int] = mapped_column(ForeignKey("incentive.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal | None] = mapped_column(Amount)
    note: Mapped[str] = mapped_column(Text, default="")

    incentive = relationship("Incentive", back_populates="changes")
    actor = relationship("User")
