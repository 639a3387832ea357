"""A firm's figures: per fiscal year and per firm, in two versions (the bureau's and the firm's own submission)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.domain.text import N_

Amount = Numeric(14, 2)  # 万元 with two decimals


class Source(StrEnum):
    OFFICIAL = "official"  # the bureau's version: what the engine reads
    FIRM = "firm"  # what the firm submitted from the portal


class Status(StrEnum):
    PENDING = "pending"  # 待核实
    CONFIRMED = "confirmed"  # 已核实
    REJECTED = "rejected"  # 已退回


class Origin(StrEnum):
    """Where the official version's values came from."""

    OFFICER = "officer"
    FIRM = "firm"  # a firm submission an officer confirmed
    IMPORT = "import"  # an Excel import


STATUS_LABELS = {Status.PENDING: N_("待核实"), Status.CONFIRMED: N_("已核实"), Status.REJECTED: N_("已退回")}
ORIGIN_LABELS = {Origin.OFFICER: N_("科技专员录入"), Origin.FIRM: N_("企业填报（已核实）"), Origin.IMPORT: N_("Excel 导入")}


# The firm submissions waiting for an officer, a few among all the figures: a partial index of them keeps the
# workbench's and the pending list's reads short at any county size (migration 0024; indicators.queries.pending).
PENDING = text(f"source = '{Source.FIRM.value}' AND status = '{Status.PENDING.value}'")


class _Reviewed:
    """Columns shared by both kinds of figures: version, status and who touched them when."""

    source: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default=Status.CONFIRMED.value)
    origin: Mapped[str] = mapped_column(String(8), default=Origin.OFFICER.value)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str] = mapped_column(Text, default="")


class FirmYear(_Reviewed, Base):
    """One fiscal year's ten figures of a firm, in one version (official or firm-submitted)."""

    __tablename__ = "firm_year"
    __table_args__ = (
        UniqueConstraint("firm_id", "fiscal_year", "source"),
        Index("ix_firm_year_source_fiscal_year", "source", "fiscal_year"),
        Index("ix_firm_year_source_status", "source", "status"),
        Index("ix_firm_year_pending", "updated_at", "id", sqlite_where=PENDING, postgresql_where=PENDING),
        CheckConstraint("employees >= 1", name="employees_positive"),
        CheckConstraint("tech_staff >= 0 AND tech_staff <= employees", name="tech_staff_within_employees"),
        CheckConstraint("rd_domestic >= 0 AND rd_domestic <= rd", name="rd_domestic_within_rd"),
        CheckConstraint("high_tech_revenue >= 0 AND high_tech_revenue <= total_revenue",
                        name="high_tech_within_revenue"),
        # Net assets may be negative (a loss-making firm is still evaluated: RULES revision 2).
        CheckConstraint("sales >= 0 AND cost_expense >= 0 AND total_assets >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    employees: Mapped[int] = mapped_column(Integer)
    tech_staff: Mapped[int] = mapped_column(Integer)
    sales: Mapped[Decimal] = mapped_column(Amount)
    cost_expense: Mapped[Decimal] = mapped_column(Amount)
    rd: Mapped[Decimal] = mapped_column(Amount)
    rd_domestic: Mapped[Decimal] = mapped_column(Amount)
    total_assets: Mapped[Decimal] = mapped_column(Amount)
    net_assets: Mapped[Decimal] = mapped_column(Amount)
    total_revenue: Mapped[Decimal] = mapped_column(Amount)
    high_tech_revenue: Mapped[Decimal] = mapped_column(Amount)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    updated_by = relationship("User", foreign_keys=[updated_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])


class FirmFacts(_Reviewed, Base):
    """A firm's facts that are not per year: IP, 高企 domain, conversions, direct routes, flags, expert scores."""

    __tablename__ = "firm_facts"
    __table_args__ = (
        UniqueConstraint("firm_id", "source"),
        Index("ix_firm_facts_source_status", "source", "status"),
        Index("ix_firm_facts_pending", "updated_at", "id", sqlite_where=PENDING, postgresql_where=PENDING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    ip_class_i: Mapped[int] = mapped_column(Integer, default=0)
    ip_class_ii: Mapped[int] = mapped_column(Integer, default=0)
    ip_acquired_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hnte_domain: Mapped[str | None] = mapped_column(String(20))
    conversions_3y: Mapped[int | None] = mapped_column(Integer)  # None = not known (a range for the engine)
    valid_hnte: Mapped[bool] = mapped_column(Boolean, default=False)
    national_award_top3: Mapped[bool] = mapped_column(Boolean, default=False)
    provincial_rd_institution: Mapped[bool] = mapped_column(Boolean, default=False)
    led_standard: Mapped[bool] = mapped_column(Boolean, default=False)
    restricted_industry: Mapped[bool] = mapped_column(Boolean, default=False)
    major_incident: Mapped[bool] = mapped_column(Boolean, default=False)
    dishonest_list: Mapped[bool] = mapped_column(Boolean, default=False)
    deemed_taxation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    excluded_industry: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    expert_advancement: Mapped[int | None] = mapped_column(Integer)
    expert_core_support: Mapped[int | None] = mapped_column(Integer)
    expert_acquisition: Mapped[int | None] = mapped_column(Integer)
    expert_standards: Mapped[int | None] = mapped_column(Integer)
    expert_rd_management: Mapped[int | None] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    updated_by = relationship("User", foreign_keys=[updated_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])


class IpItem(Base):
    """One intellectual-property item of a firm (a patent, a software copyright…), entered by an officer from its
    certificate. A firm with items is evaluated on them, not on the IP counts of its facts (assessment.py)."""

    __tablename__ = "ip_item"
    __table_args__ = (UniqueConstraint("firm_id", "kind", "number"),)  # also the index of a firm's items

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # pipeline.domain.ip.IpKind
    number: Mapped[str] = mapped_column(String(40))  # 专利号 / 登记号
    title: Mapped[str] = mapped_column(String(200))
    granted_on: Mapped[date] = mapped_column(Date)  # 授权（登记）日期, or the day it was acquired
    acquired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 受让、受赠、并购
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    uses = relationship("IpItemUse", back_populates="item", cascade="all, delete-orphan", passive_deletes=True)


class IpItemUse(Base):
    """An item listed in a successful 高企 application: linked to the history row of that recognition (认定).

    A Class II item has at most one (仅限使用一次, checked by the service); a Class I item may be used again."""

    __tablename__ = "ip_item_use"
    __table_args__ = (UniqueConstraint("ip_item_id", "stage_move_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ip_item_id: Mapped[int] = mapped_column(ForeignKey("ip_item.id", ondelete="CASCADE"))
    stage_move_id: Mapped[int] = mapped_column(ForeignKey("stage_move.id", ondelete="CASCADE"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    item = relationship("IpItem", back_populates="uses")
    recognition = relationship("StageMove")
