"""Tracks, each firm's record on a track, the append-only stage history and pool numbering."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.domain.stages import Stage
from pipeline.tenancy.models import CountyOwned

StageType = Enum(Stage, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Track(Base):
    """A ladder a firm can climb (科小, 高企, …). Tracks are data: an admin adds one without code changes."""

    __tablename__ = "track"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # tech_sme, hnte, …
    name: Mapped[str] = mapped_column(String(50), unique=True)
    name_en: Mapped[str] = mapped_column(String(100), default="")
    short_name: Mapped[str] = mapped_column(String(10))  # prefix of pool numbers: 科小-2026-0001
    # How a certification expires: 'years' (issue date + validity_years), 'calendar_year' (31 Dec of the
    # number's year) or 'none'.
    validity_rule: Mapped[str] = mapped_column(String(16), default="years")
    validity_years: Mapped[int | None] = mapped_column(Integer)
    # Regular expression the certificate/registration number must match; {year} stands for the issue year.
    number_pattern: Mapped[str] = mapped_column(String(100), default="")
    # How the number looks, in words, for the message when it does not match (e.g. GR + 年份 + …).
    number_hint: Mapped[str] = mapped_column(String(200), default="", server_default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Each recognition has a level (县级 … 国家级: 企业研发机构); the figures count 市级 and above.
    levelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class StageSetting(Base):
    """Admin-configurable rule per stage: after how many quiet days a record counts as stale."""

    __tablename__ = "stage_setting"

    stage: Mapped[Stage] = mapped_column(StageType, primary_key=True)
    stale_days: Mapped[int | None] = mapped_column(Integer)


class FirmTrack(CountyOwned, Base):
    """A firm's current position on one track. The history of how it got there is in StageMove."""

    __tablename__ = "firm_track"
    __table_args__ = (
        UniqueConstraint("firm_id", "track_id"),
        # The firm list's track and stage filters and the board's counts, from the index alone.
        Index("ix_firm_track_track_id_stage_firm_id", "track_id", "stage", "firm_id"),
        # The board's columns: the least recently touched records of one stage first, with the firm id, so that a
        # town filter probes the firm without reading the record (migration 0013).
        Index("ix_firm_track_track_id_stage_last_activity_at_id_firm_id", "track_id", "stage", "last_activity_at",
              "id", "firm_id"),
        # The firm list's stage, paused and stale filters (active tracks only): firm ids from the index alone.
        Index("ix_firm_track_stage_last_activity_at_track_id_firm_id", "stage", "last_activity_at", "track_id",
              "firm_id"),
        Index("ix_firm_track_expires_on", "expires_on"),
        # A firm's records (the foreign key's index) and, from the index alone, the board's counts in one town.
        Index("ix_firm_track_firm_id_track_id_stage", "firm_id", "track_id", "stage"),
        # The workbench's counts of an officer's or a town's stale, expiring and 培育 records, from one index range
        # per stage (migration 0024).
        Index("ix_firm_track_officer_id_stage_last_activity_at", "officer_id", "stage", "last_activity_at",
              "track_id"),
        Index("ix_firm_track_town_id_stage_last_activity_at", "town_id", "stage", "last_activity_at", "officer_id",
              "track_id"),
        Index("ix_firm_track_officer_id_stage_expires_on", "officer_id", "stage", "expires_on"),
        Index("ix_firm_track_town_id_stage_expires_on", "town_id", "stage", "expires_on", "officer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"))
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    stage: Mapped[Stage] = mapped_column(StageType)
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    pool_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    certificate_number: Mapped[str | None] = mapped_column(String(32), index=True)
    certified_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    paused_until: Mapped[date | None] = mapped_column(Date)
    pause_reason: Mapped[str] = mapped_column(Text, default="")
    paused_from: Mapped[Stage | None] = mapped_column(StageType)  # where a paused record resumes
    exit_reason: Mapped[str | None] = mapped_column(String(32))
    revoked_year: Mapped[int | None] = mapped_column(Integer)  # a 科小 number revoked this year blocks re-entry
    level: Mapped[str | None] = mapped_column(String(16))  # levelled tracks: the highest level recognised at
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic concurrency check
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The firm's town and officer, copied by database triggers (migration 0024) whenever a record is made or its firm
    # changes; never written here.
    town_id: Mapped[int | None] = mapped_column(Integer, server_default=FetchedValue())
    officer_id: Mapped[int | None] = mapped_column(Integer, server_default=FetchedValue())

    firm = relationship("Firm", backref="tracks")
    track = relationship("Track", lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class StageTally(Base):
    """Changes to how many records a track has in each town and stage: +1 into, -1 out of, appended by database
    triggers on firm_track and firm (migration 0014), never by the application. The board sums them instead of
    counting a track's records; pipeline/funnel/tally.py folds them into one row per track, town and stage."""

    __tablename__ = "stage_tally"  # no index: a few hundred rows between recounts, read whole (migration 0014)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign keys: only the triggers write these rows, and a recount replaces them.
    track_id: Mapped[int] = mapped_column(Integer)
    town_id: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[Stage] = mapped_column(StageType)
    records: Mapped[int] = mapped_column(Integer)


class StageMove(CountyOwned, Base):
    """One move of one firm on one track. Append-only: the application never updates or deletes a row."""

    __tablename__ = "stage_move"
    # By track and time: ix_stage_move_track_id_moved_at_stages (pipeline/dashboard/models.py) begins with both.
    __table_args__ = (Index("ix_stage_move_firm_track_id_moved_at", "firm_track_id", "moved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_track_id: Mapped[int] = mapped_column(ForeignKey("firm_track.id", ondelete="CASCADE"))
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    from_stage: Mapped[Stage | None] = mapped_column(StageType)
    to_stage: Mapped[Stage] = mapped_column(StageType)
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)  # an admin skipped a stage
    certificate_number: Mapped[str | None] = mapped_column(String(32))
    # What the move gave or set, so that the history reads on its own.
    pool_number: Mapped[str | None] = mapped_column(String(32))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    resume_on: Mapped[date | None] = mapped_column(Date)
    # How an entry into 认定 counts (pipeline.domain.stages.EntryClass): first_time, repeat or restored; NULL for the
    # other moves. Decided by the move and never changed (migration 0017 classified the older rows).
    entry_class: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(16))  # levelled tracks: the level this 认定 gave

    actor = relationship("User")
    track = relationship("Track")
    firm_track = relationship("FirmTrack")


@event.listens_for(StageMove, "before_update")
@event.listens_for(StageMove, "before_delete")
def _refuse_history_change(mapper, connection, target):
    raise PermissionError("stage history is append-only")


class PoolCounter(Base):
    """Last pool number given per track and year, so that numbers are never reused."""

    __tablename__ = "pool_counter"

    county_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # numbering per county
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class RecognitionBatch(CountyOwned, Base):
    """A batch in which the city or province recognises firms the county recommended (省科小): the list is first
    published for objections (公示, publicized_on), then recognised under one document (认定, recognized_on and its
    文号); recognising moves every firm of the batch to 认定 through move_firm."""

    __tablename__ = "recognition_batch"
    __table_args__ = (UniqueConstraint("county_id", "track_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))  # e.g. 2026年第一批
    publicized_on: Mapped[date | None] = mapped_column(Date)
    recognized_on: Mapped[date | None] = mapped_column(Date)
    document_number: Mapped[str] = mapped_column(String(32), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    track = relationship("Track")
    entries = relationship("RecognitionBatchEntry", back_populates="batch", cascade="all, delete-orphan",
                           order_by="RecognitionBatchEntry.id")


class RecognitionBatchEntry(Base):
    """One recommended firm (its record on the track) in a batch."""

    __tablename__ = "recognition_batch_entry"
    __table_args__ = (UniqueConstraint("batch_id", "firm_track_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("recognition_batch.id", ondelete="CASCADE"))
    firm_track_id: Mapped[int] = mapped_column(ForeignKey("firm_track.id", ondelete="CASCADE"), index=True)

    batch = relationship("RecognitionBatch", back_populates="entries")
    firm_track = relationship("FirmTrack")
