"""Annual certification targets that the admin sets per track and year, county-wide and per town."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.funnel.models import StageMove
from pipeline.tenancy.models import CountyOwned

# The dashboard's period queries read stage_move by time across every track and record: without this index each
# of them scans the whole history.
Index("ix_stage_move_moved_at", StageMove.moved_at)
# The stage table's moves into and out of each stage since the period start: SQLite's planner reads them by
# (track_id, moved_at); holding the stages and the record too, the index answers without a table row (SQLite,
# a year at 100,000 firms: 1.0 s → 0.25 s for each of the two).
Index("ix_stage_move_track_id_moved_at_stages", StageMove.track_id, StageMove.moved_at, StageMove.firm_track_id,
      StageMove.from_stage, StageMove.to_stage)
# The towns' and industries' columns count records by the firm's town and industry: now in 入库/培育/认定, and
# moved into 入库 and 认定 since 1 January. With firm_track(track_id, stage, firm_id) and firm(id, town_id,
# industry_id) (see Firm) these indexes hold every column those two queries read, so neither touches a table row
# (SQLite, 100,000 firms: 0.55 s → 0.12 s and 1.2 s → 0.24 s).
Index("ix_stage_move_to_stage_moved_at", StageMove.to_stage, StageMove.moved_at, StageMove.track_id,
      StageMove.firm_track_id, StageMove.firm_id)


class AnnualTarget(CountyOwned, Base):
    """How many firms a track should newly certify in a year: town_id NULL is the county-wide target."""

    __tablename__ = "annual_target"
    __table_args__ = (
        UniqueConstraint("county_id", "track_id", "year", "town_id"),
        # NULLs are distinct in unique constraints: a partial index keeps one county-wide row per track and year.
        Index("ix_annual_target_county", "county_id", "track_id", "year", unique=True,
              sqlite_where=text("town_id IS NULL"), postgresql_where=text("town_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("town.id", ondelete="CASCADE"))
    target: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Issue 24: the city that set this county-wide target (targets cascade); NULL: the county set it itself.
    set_by_authority_id: Mapped[int | None] = mapped_column(Integer)

    track = relationship("Track")
    town = relationship("Town")


class AnnualBaseline(CountyOwned, Base):
    """A track's figure of a year before the system's data (e.g. 2021: 新增省科小 96 家), entered by the admin, so that
    the targets page shows progress against it ("双倍增"). `note` says what the figure counts (申报, 新增, …)."""

    __tablename__ = "annual_baseline"
    __table_args__ = (UniqueConstraint("county_id", "track_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(100), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    track = relationship("Track")


class StageMoveDay(CountyOwned, Base):
    """How many moves of one kind a bureau day (UTC+8) saw: kept by triggers on stage_move (migration 0026), never
    written here. Key columns hold '' and 0 for none."""

    __tablename__ = "stage_move_day"
    __table_args__ = (Index("ux_stage_move_day_key", "county_id", "day", "track_id", "to_stage", "from_stage", "reason_code",
                            "entry_class", "issued_year", "level", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    track_id: Mapped[int] = mapped_column(Integer)
    to_stage: Mapped[str] = mapped_column(String(16))
    from_stage: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str] = mapped_column(String(32))
    entry_class: Mapped[str] = mapped_column(String(16))
    issued_year: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(16))
    moves: Mapped[int] = mapped_column(Integer)


class StageMovePlace(Base):
    """How many moves into 入库 and 认定 a bureau month saw per firm's town and industry, and the year for which they
    are a 新增 (0: none); kept by triggers on stage_move and firm (migration 0026)."""

    __tablename__ = "stage_move_place"
    __table_args__ = (Index("ux_stage_move_place_key", "month", "track_id", "to_stage", "town_id", "industry_id",
                            "first_year", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    track_id: Mapped[int] = mapped_column(Integer)
    to_stage: Mapped[str] = mapped_column(String(16))
    town_id: Mapped[int] = mapped_column(Integer)
    industry_id: Mapped[int] = mapped_column(Integer)
    first_year: Mapped[int] = mapped_column(Integer)
    moves: Mapped[int] = mapped_column(Integer)


class StageMovePair(Base):
    """Two moves of one record into the same stage (kind 'in') or out of it ('out'), the later and the earlier by
    time, with what the dashboard groups them by; kept by triggers on stage_move (migration 0026)."""

    __tablename__ = "stage_move_pair"
    __table_args__ = (Index("ix_stage_move_pair_earlier_at_later_at", "earlier_at", "later_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(Integer)
    firm_track_id: Mapped[int] = mapped_column(Integer, index=True)
    track_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(3))
    stage: Mapped[str] = mapped_column(String(16))
    later_id: Mapped[int] = mapped_column(Integer)
    earlier_id: Mapped[int] = mapped_column(Integer)
    later_at: Mapped[datetime] = mapped_column(UTCDateTime)
    earlier_at: Mapped[datetime] = mapped_column(UTCDateTime)
    later_reason: Mapped[str] = mapped_column(String(32))
    earlier_reason: Mapped[str] = mapped_column(String(32))
    later_class: Mapped[str] = mapped_column(String(16))
    earlier_class: Mapped[str] = mapped_column(String(16))
    later_issued_year: Mapped[int] = mapped_column(Integer)
    earlier_issued_year: Mapped[int] = mapped_column(Integer)
    later_level: Mapped[str] = mapped_column(String(16))
    earlier_level: Mapped[str] = mapped_column(String(16))
