"""Read-side queries of the funnel, always scoped to what the user may see and with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import abort
from sqlalchemy import and_, false, func, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from pipeline.auth.models import User
from pipeline.auth.permissions import shown_town_ids, visible_town_ids
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm, ServiceRecord, Town
from pipeline.funnel.models import FirmTrack, StageMove, StageSetting, Track
from pipeline.funnel.tally import tallied_by_stage
from pipeline.i18n import local_zone, to_local


def track_from_arg(value: str) -> Track | None:
    """The track named in a query string by id (the firm list's filter) or by code (the dashboard's links)."""
    value = (value or "").strip()[:32]
    if not value:
        return None
    if value.isdigit():
        return db.session.get(Track, int(value)) if int(value) < 2**31 else None
    return db.session.scalar(select(Track).where(Track.code == value))


def list_tracks(active_only: bool = True) -> list[Track]:
    stmt = select(Track).order_by(Track.sort_order, Track.id)
    if active_only:
        stmt = stmt.where(Track.active.is_(True))
    return list(db.session.scalars(stmt))


def get_track_or_404(code: str, active_only: bool = True) -> Track:
    track = db.session.scalar(select(Track).where(Track.code == code))
    if track is None or (active_only and not track.active):
        abort(404)
    return track


def find_track(code_or_name: str) -> Track | None:
    """A track by code, short name or name (for the command line)."""
    return db.session.scalar(select(Track).where(
        or_(Track.code == code_or_name, Track.short_name == code_or_name, Track.name == code_or_name)))


def stale_thresholds() -> dict[Stage, int]:
    """Days without a move or a service after which a record in each stage counts as stale."""
    rows = db.session.execute(select(StageSetting.stage, StageSetting.stale_days))
    return {stage: days for stage, days in rows if days is not None}


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=local_zone()).astimezone(UTC)


def stale_cutoffs(now: datetime, thresholds: dict[Stage, int]) -> dict[Stage, datetime]:
    """Per stage that can be stale, the moment a record's last activity must be before to be stale: the start of the
    local day N days ago. The same rule as domain.stages.is_stale()."""
    today = to_local(now).date()
    return {stage: start_of_local_day(today - timedelta(days=n))
            for stage, n in thresholds.items() if stage not in (Stage.PAUSED, Stage.REMOVED)}


def active_track_clause():
    """SQL condition on FirmTrack: its track is active."""
    return FirmTrack.track_id.in_(select(Track.id).where(Track.active.is_(True)))


def stale_clause(now: datetime, thresholds: dict[Stage, int]):
    """SQL condition on FirmTrack: quiet for more than its stage's days (stale_cutoffs), on an active track."""
    parts = [and_(FirmTrack.stage == stage, FirmTrack.last_activity_at < cutoff)
             for stage, cutoff in stale_cutoffs(now, thresholds).items()]
    if not parts:
        return false()
    return and_(or_(*parts), active_track_clause())


def scope_to_user(stmt, user: User):
    """Limit a statement that involves Firm to the towns an officer is limited to."""
    towns = visible_town_ids(user)
    return stmt if towns is None else stmt.where(Firm.town_id.in_(towns))


def list_stale(*, now: datetime, track: Track | None = None, for_user: User | None = None,
               limit: int | None = None) -> list[FirmTrack]:
    """Stale records (oldest activity first), optionally on one track and within what a user may see."""
    stmt = (select(FirmTrack).join(FirmTrack.firm).where(stale_clause(now, stale_thresholds()))
            .options(joinedload(FirmTrack.firm)).order_by(FirmTrack.last_activity_at, FirmTrack.id))
    if track is not None:
        stmt = stmt.where(FirmTrack.track_id == track.id)
    if for_user is not None:
        stmt = scope_to_user(stmt, for_user)
    return list(db.session.scalars(stmt.limit(limit)))


@dataclass(frozen=True)
class BoardFilter:
    town_id: int | None = None
    officer_id: int | None = None


def _board_where(stmt, track: Track, user: User, board_filter: BoardFilter, *, firm_joined: bool = False):
    """Restrict to one track, the user's towns and the board's filters (joining Firm only when needed).

    A caller that has joined Firm itself (the bulk page, which orders by the firm's name) gets the firm's town and
    officer compared as expressions (+ 0), which no index serves: SQLite otherwise walked all of a town's firms in
    name order (8,000 at 100,000 firms, 35 ms for a column of 24) instead of the column's records from the (track,
    stage) index, so a filter never costs more than the whole column."""
    stmt = stmt.where(FirmTrack.track_id == track.id)
    towns = visible_town_ids(user)
    if towns is None and not board_filter.town_id and not board_filter.officer_id:
        return stmt
    if firm_joined:
        town, officer = Firm.town_id + 0, Firm.officer_id + 0
    else:
        stmt = stmt.join(FirmTrack.firm)
        town, officer = Firm.town_id, Firm.officer_id
    if towns is not None:
        stmt = stmt.where(town.in_(towns))
    if board_filter.town_id:
        stmt = stmt.where(town == board_filter.town_id)
    if board_filter.officer_id:
        stmt = stmt.where(officer == board_filter.officer_id)
    return stmt


BULK_ORDER = (Firm.name, FirmTrack.id)


def list_bulk_rows(track: Track, stage: Stage, user: User, board_filter: BoardFilter, limit: int) -> list:
    """The first `limit` records of one column for the bulk page, by firm name, as plain rows (id, version,
    firm_name, town_name, pool_number, stage_entered_at): a full column of 1,000 records loaded as records and
    firms cost more than drawing the page (bench/bench_pages.py)."""
    stmt = (select(FirmTrack.id, FirmTrack.version, FirmTrack.pool_number, FirmTrack.stage_entered_at,
                   Firm.name.label("firm_name"), Town.name.label("town_name"))
            .join(FirmTrack.firm).join(Town, Town.id == Firm.town_id).where(FirmTrack.stage == stage))
    return list(db.session.execute(_board_where(stmt, track, user, board_filter, firm_joined=True).order_by(*BULK_ORDER).limit(limit)))


def bulk_records_by_id(track: Track, ids: list[int], user: User, board_filter: BoardFilter,
                       limit: int) -> list[FirmTrack]:
    """The ticked records of a bulk move, whatever their stage now (one moved meanwhile is refused as changed, not
    lost), with their firms: a move into 入库 prints the firm's name on the certificate (no query per record)."""
    stmt = (select(FirmTrack).join(FirmTrack.firm).options(contains_eager(FirmTrack.firm))
            .where(FirmTrack.id.in_(ids)))
    return list(db.session.scalars(_board_where(stmt, track, user, board_filter, firm_joined=True).order_by(*BULK_ORDER).limit(limit)))


def count_by_stage(track: Track, user: User, board_filter: BoardFilter = BoardFilter()) -> dict[Stage, int]:
    """Count the records in each stage of one track: from the stage tally (by town), or, with an officer filter,
    by counting the officer's records."""
    if board_filter.officer_id is None:
        return tallied_by_stage(track.id, shown_town_ids(user, board_filter.town_id))
    stmt = select(FirmTrack.stage, func.count()).group_by(FirmTrack.stage)
    return dict(db.session.execute(_board_where(stmt, track, user, board_filter)).all())


def board_cards(track: Track, user: User, board_filter: BoardFilter = BoardFilter(),
                per_stage: int = 60) -> dict[Stage, list[FirmTrack]]:
    """The first cards of every column (longest without a move or service first), in one query.

    One LIMITed select per stage, glued with UNION ALL: each walks the (track, stage, last activity) index, so
    the cost does not grow with the number of firms on the track.
    """
    order = (FirmTrack.last_activity_at, FirmTrack.id)
    columns = [_board_where(select(FirmTrack.id), track, user, board_filter).where(FirmTrack.stage == stage)
               .order_by(*order).limit(per_stage).subquery().select() for stage in Stage]
    stmt = (select(FirmTrack).where(FirmTrack.id.in_(union_all(*columns)))
            .options(joinedload(FirmTrack.firm)).order_by(*order))
    cards: dict[Stage, list[FirmTrack]] = {}
    for record in db.session.scalars(stmt):
        cards.setdefault(record.stage, []).append(record)
    return cards


def records_on_track(firm_ids: list[int], track_code: str) -> dict[int, FirmTrack]:
    """The records of some firms on another track (e.g. the 科小 status shown on 高企 cards), in one query."""
    if not firm_ids:
        return {}
    stmt = (select(FirmTrack).join(FirmTrack.track)
            .where(Track.code == track_code, FirmTrack.firm_id.in_(firm_ids)))
    return {record.firm_id: record for record in db.session.scalars(stmt)}


def get_record(firm: Firm, track: Track) -> FirmTrack | None:
    return db.session.scalar(select(FirmTrack).where(FirmTrack.firm_id == firm.id, FirmTrack.track_id == track.id))


def firm_records(firm: Firm) -> list[FirmTrack]:
    stmt = (select(FirmTrack).join(FirmTrack.track).where(FirmTrack.firm_id == firm.id)
            .order_by(Track.sort_order, Track.id))
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # 'move' | 'service'
    sort_key: tuple
    item: object


def firm_timeline(firm: Firm, *, include_services: bool = True) -> list[TimelineEntry]:
    """Moves and services of a firm, newest first."""
    moves = db.session.scalars(select(StageMove).where(StageMove.firm_id == firm.id)
                               .options(joinedload(StageMove.actor), joinedload(StageMove.track)))
    entries = [TimelineEntry("move", (to_local(m.moved_at).date(), m.moved_at.timestamp(), m.id), m) for m in moves]
    if include_services:
        services = db.session.scalars(select(ServiceRecord).where(ServiceRecord.firm_id == firm.id)
                                      .options(joinedload(ServiceRecord.officer)))
        entries += [TimelineEntry("service", (s.served_on, 0, s.id), s) for s in services]
    return sorted(entries, key=lambda e: e.sort_key, reverse=True)


def firms_with_records(stmt):
    """Add the eager loads a firm list needs (records, officer) so that a page costs a fixed number of queries."""
    return stmt.options(selectinload(Firm.tracks), joinedload(Firm.officer))


RD_INSTITUTION = "rd_institution"  # the levelled track whose 省级+ records are the 科小 direct route
