"""Reminder rules (switched and worded by the admin), the reminders sent, and the dates they depend on."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.tenancy.models import CountyOwned


class ReminderRule(CountyOwned, Base):
    """One of the rules in pipeline/domain/reminders.py for one county: on or off, and its Chinese texts with
    {占位符}. Each county has its own row of every rule (migration 0030; a new county gets defaults.py's)."""

    __tablename__ = "reminder_rule"
    __table_args__ = (PrimaryKeyConstraint("code", "county_id"),)  # code first: the audit log names the row by it

    code: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    subject_template: Mapped[str] = mapped_column(String(200))
    body_template: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    updated_by = relationship("User")


class Reminder(CountyOwned, Base):
    """One reminder to one recipient, stored once: restarts, two schedulers or a re-run never send it twice.

    `target` names the recipient and what it is about: 'firm:12' (the firm itself), 'user:5:firm:12' (officer 5
    about firm 12) or 'user:5' (officer 5's digest); `due_on` is the day the rule made it due."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("rule_code", "target", "due_on"),
        ForeignKeyConstraint(["rule_code", "county_id"], ["reminder_rule.code", "reminder_rule.county_id"]),
        Index("ix_reminder_recipient_user_id_read_at", "recipient_user_id", "read_at"),
        Index("ix_reminder_recipient_firm_id_read_at", "recipient_firm_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(32))  # the rule of the reminder's own county
    target: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    recipient_firm_id: Mapped[int | None] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    items: Mapped[list] = mapped_column(JSON, default=list)  # the lines of a digest
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    firm = relationship("Firm", foreign_keys=[firm_id])
    outbox_message = relationship("OutboxMessage")


class AnnualReportFiling(Base):
    """A 高企's annual development report marked as filed (by its officer or the firm) for the year it is due in."""

    __tablename__ = "annual_report_filing"
    __table_args__ = (UniqueConstraint("firm_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)  # due 31 May of this year; covers fiscal year − 1
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    marked_by = relationship("User")


class ProgramYear(CountyOwned, Base):
    """The dates that change every year, as data: the 科小 filing window and the 高企 application batches; each
    county keeps its own calendar."""

    __tablename__ = "program_year"
    __table_args__ = (PrimaryKeyConstraint("year", "county_id"),)  # year first: the audit log names the row by it

    year: Mapped[int] = mapped_column(Integer, autoincrement=False)
    tech_sme_opens_on: Mapped[date | None] = mapped_column(Date)
    tech_sme_closes_on: Mapped[date | None] = mapped_column(Date)  # None: not announced / open-ended

    hnte_batches = relationship("HnteBatch", cascade="all, delete-orphan", order_by="HnteBatch.due_on",
                                back_populates="program_year")


class HnteBatch(CountyOwned, Base):
    """One 高企 application batch of a county's calendar: the day the province's filing closes."""

    __tablename__ = "hnte_batch"
    __table_args__ = (
        ForeignKeyConstraint(["year", "county_id"], ["program_year.year", "program_year.county_id"], ondelete="CASCADE"),
        UniqueConstraint("county_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    due_on: Mapped[date] = mapped_column(Date)

    program_year = relationship("ProgramYear", back_populates="hnte_batches")
