"""Funnel statistics in SQL, a fixed number of queries over every track, whatever the number of firms. A period's
moves are summed from the tallies of migration 0026 (pipeline/dashboard/tallies.py); the rest reads the records.

Times are aware UTC; a period is [start, end) with end = min(period end, now). Counts of "firms" count distinct
records (FirmTrack), so a firm that enters a stage twice in a period counts once.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, case, distinct, false, func, or_, select, text, type_coerce, union_all

from pipeline.dashboard import tallies
from pipeline.dashboard.models import AnnualTarget
from pipeline.dashboard.sql import EXIT_STAGES, at, days_between, ladder_rank
from pipeline.domain.stages import HOLDING, LADDER, Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import FirmTrack, StageMove, StageSetting, Track
from pipeline.reminders.models import AnnualReportFiling

FT = FirmTrack
SM = StageMove
PIPELINE_STAGES = (Stage.POOL, Stage.CULTIVATING)  # "in cultivation": what a town has in the pipe


@dataclass(frozen=True)
class MoveCounts:
    """Moves into (or out of) one stage of one track since the period start."""

    firms_in_period: int  # distinct records that moved in (out) during the period
    moves_in_period: int
    moves_after: int  # moves after the period end: what separates the stock at the period end from now


@dataclass(frozen=True)
class FirmRow:
    """One firm in a list of the dashboard or the report: primitives only."""

    firm_id: int
    name: str
    credit_code: str
    town: str
    track_code: str
    track_short: str
    stage: str
    day: date | None  # the date that matters for the list (move, expiry, last activity)
    detail: str = ""  # reason code, certificate number, …


def tune_session_for_statistics() -> None:
    """On PostgreSQL, for this transaction only: no JIT (compiling took longer than running these queries) and
    enough memory to sort the stays of a year in memory."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))


def load_stale_days() -> dict[Stage, int]:
    return {row.stage: row.stale_days for row in db.session.scalars(select(StageSetting)) if row.stale_days}


def paused_condition(today: date):
    """The record is paused today (paused_until is the last paused day)."""
    return and_(FT.paused_until.is_not(None), FT.paused_until >= today)


def stale_condition(now: datetime, today: date, stale_days: dict[Stage, int]):
    """No activity for longer than the stage's stale days, and not paused."""
    clauses = [and_(FT.stage == stage, FT.last_activity_at < at(now - timedelta(days=days)))
               for stage, days in stale_days.items()]
    if not clauses:
        return false()
    return and_(or_(*clauses), ~paused_condition(today))


def _flag(condition):
    return func.sum(_when(condition, 1, 0))


def count_current_stages(now: datetime, today: date, stale_days: dict[Stage, int]) -> dict[tuple[int, Stage], tuple]:
    """(track_id, stage) → (records, paused, stale) as they stand now."""
    stmt = (select(FT.track_id, FT.stage, func.count(), _flag(paused_condition(today)),
                   _flag(stale_condition(now, today, stale_days)))
            .group_by(FT.track_id, FT.stage))
    return {(track_id, stage): (total, int(paused or 0), int(stale or 0))
            for track_id, stage, total, paused, stale in db.session.execute(stmt)}


def count_period_moves(start: datetime, end: datetime) -> tuple[dict, dict, dict]:
    """(entries, departures, exits) of the period, from the day tally (pipeline/dashboard/tallies.py):
    entries and departures: (track_id, stage) → MoveCounts, moves into (out of) each stage split at end;
    exits: (track_id, exit stage, reason code) → records that exited that way in the period."""
    period = (start, end)
    moved, moved_after = tallies.sum_day_tally([period, (end, None)])
    pairs = tallies.load_pairs([period])
    entries = _move_counts(moved, moved_after, lambda key: key.to_stage,
                           tallies.count_repeats(pairs, period, lambda p: _stage_of(p, "in")))
    departures = _move_counts(moved, moved_after, lambda key: key.from_stage,
                              tallies.count_repeats(pairs, period, lambda p: _stage_of(p, "out")))
    exits = Counter()
    for key, moves in moved.items():
        if key.to_stage in EXIT_STAGES:
            exits[key.track_id, Stage(key.to_stage), key.reason or None] += moves
    exits.subtract(tallies.count_repeats(pairs, period, _exit_of))
    return entries, departures, {key: count for key, count in exits.items() if count}


def _stage_of(pair: tallies.Pair, kind: str):
    return (pair.later.track_id, Stage(pair.stage)) if pair.kind == kind else None


def _exit_of(pair: tallies.Pair):
    """Two exits count as one record when they left for the same exit stage with the same reason."""
    if pair.kind != "in" or pair.stage not in EXIT_STAGES or pair.later.reason != pair.earlier.reason:
        return None
    return pair.later.track_id, Stage(pair.stage), pair.later.reason or None


def _move_counts(moved: Counter, moved_after: Counter, stage_of, repeats: Counter) -> dict[tuple[int, Stage], MoveCounts]:
    totals = defaultdict(lambda: [0, 0])
    for column, counts in enumerate((moved, moved_after)):
        for key, moves in counts.items():
            if stage_of(key):
                totals[key.track_id, Stage(stage_of(key))][column] += moves
    return {key: MoveCounts(moves - repeats.get(key, 0), moves, after)
            for key, (moves, after) in totals.items() if moves or after}


def count_conversions(start: datetime, end: datetime) -> dict[tuple[int, Stage], tuple[int, int]]:
    """(track_id, ladder stage) → (records that entered it in the period, of which reached a higher stage by end).

    A move that shows the record went higher comes after the entry and before `end`: it lies in the period too, so
    one window over the period's moves gives each entry the highest stage its record reached afterwards.
    """
    rank = ladder_rank(SM.to_stage)
    higher_later = func.max(rank).over(partition_by=SM.firm_track_id, order_by=(SM.moved_at, SM.id), rows=(1, None))
    moves = (select(SM.track_id, SM.firm_track_id, SM.to_stage, rank.label("rank"), higher_later.label("later_rank"))
             .where(SM.moved_at >= at(start), SM.moved_at < at(end))
             .subquery("moves"))
    reached = moves.c.later_rank > moves.c.rank
    stmt = (select(moves.c.track_id, moves.c.to_stage, func.count(distinct(moves.c.firm_track_id)),
                   func.count(distinct(_when(reached, moves.c.firm_track_id))))
            .where(moves.c.to_stage.in_(LADDER[:-1]))
            .group_by(moves.c.track_id, moves.c.to_stage))
    return {(track_id, stage): (entered, done) for track_id, stage, entered, done in db.session.execute(stmt)}


def stage_durations(start: datetime, end: datetime,
                    stages: Collection[Stage] = LADDER) -> dict[tuple[int, Stage], tuple[int, float, float]]:
    """(track_id, stage) → (stays, median days, 90th-percentile days) over every stay that overlaps the period.

    A stay runs from a move into the stage to the record's next move; a stay still open at `end` counts up to
    `end`, so firms still in the stage are included. Median: mean of the two middle values for an even count.
    90th percentile: nearest rank (the smallest duration that at least 90% of stays do not exceed).
    """
    if start >= end:
        return {}
    stays = union_all(*_stays_overlapping(start, end)).subquery("stays")
    days = days_between(stays.c.entered_at, stays.c.left_at)
    if db.session.get_bind().dialect.name != "postgresql":
        return _median_and_p90_of_stays(stays, days, stages)
    stmt = (select(stays.c.track_id, stays.c.stage, func.count(), func.percentile_cont(0.5).within_group(days),
                   func.percentile_disc(0.9).within_group(days))  # the same two figures, from one sort per group
            .where(stays.c.stage.in_(list(stages)))
            .group_by(stays.c.track_id, stays.c.stage))
    return {(track_id, stage): (count, float(median), float(p90))
            for track_id, stage, count, median, p90 in db.session.execute(stmt)}


def _median_and_p90_of_stays(stays, days, stages) -> dict[tuple[int, Stage], tuple[int, float, float]]:
    """SQLite has no percentile functions, and its window functions (rank each group's stays, pick the middle and the
    90% ones) took 1.1 s at 100,000 firms: the durations are read as plain numbers and sorted here. The stages are
    picked here too: a stage condition in SQL made SQLite read the current records through the stage index, one
    table lookup each, instead of in one pass (0.8 s → 0.4 s)."""
    stmt = select(stays.c.track_id, type_coerce(stays.c.stage, String), days)
    wanted = {Stage(stage).value for stage in stages}
    groups: dict[tuple[int, str], list[float]] = defaultdict(list)
    for track_id, stage, duration in db.session.connection().execute(stmt):  # Core rows: no ORM result per row
        if stage in wanted:
            groups[track_id, stage].append(duration)
    result = {}
    for (track_id, stage), durations in groups.items():
        durations.sort()
        count = len(durations)
        nearest_90 = durations[-(-9 * count // 10) - 1]  # the smallest that at least 90% of stays do not exceed
        result[track_id, Stage(stage)] = (count, float(statistics.median(durations)), float(nearest_90))
    return result


def _stays_overlapping(start: datetime, end: datetime) -> list:
    """Three selects of (track_id, stage, entered_at, left_at) that together give each overlapping stay once.

    Only moves from `start` on and the current records are read, never the whole history: a stay that overlaps
    the period either ended within it (ended by a move in the period), or is still open at `end` (then it is the
    record's current stage, or it was ended by the record's first move after `end`).
    """
    prev = SM.__table__.alias("prev")

    def began(move):  # the stay that `move` ends began with the record's previous move (a broken history: 0 days)
        previous = (select(func.max(prev.c.moved_at))
                    .where(prev.c.firm_track_id == move.c.firm_track_id,
                           or_(prev.c.moved_at < move.c.moved_at,
                               and_(prev.c.moved_at == move.c.moved_at, prev.c.id < move.c.id)))
                    .scalar_subquery())
        return func.coalesce(previous, move.c.moved_at)

    ended = SM.__table__.alias("ended")
    ended_in_period = (select(ended.c.track_id.label("track_id"), ended.c.from_stage.label("stage"),
                              began(ended).label("entered_at"), ended.c.moved_at.label("left_at"))
                       .where(ended.c.moved_at >= at(start), ended.c.moved_at < at(end), ended.c.from_stage.is_not(None)))
    after = SM.__table__.alias("after")
    first = func.row_number().over(partition_by=after.c.firm_track_id, order_by=(after.c.moved_at, after.c.id))
    firsts = select(after.c.id.label("move_id"), first.label("rn")).where(after.c.moved_at >= at(end)).subquery()
    closing = SM.__table__.alias("closing")
    ended_after = (select(closing.c.track_id, closing.c.from_stage, began(closing), at(end).label("left_at"))
                   .select_from(firsts.join(closing, closing.c.id == firsts.c.move_id))
                   .where(firsts.c.rn == 1, closing.c.from_stage.is_not(None)))
    moved_since = select(after.c.id).where(after.c.firm_track_id == FT.id, after.c.moved_at >= at(end)).exists()
    still_open = select(FT.track_id, FT.stage, FT.stage_entered_at, at(end).label("left_at")).where(FT.stage_entered_at < at(end),
                                                                                   ~moved_since)
    return [ended_in_period, ended_after, still_open]


def count_current_by_place(today: date) -> tuple[dict, dict]:
    """Records now in cultivation (入库, 培育) and validly certified (expires_on not passed), per (track_id, town id)
    and per (track_id, industry id).

    One scan for both: a record belongs to one firm, so a town's counts are the sums over its industries.
    """
    valid = and_(FT.stage.in_(HOLDING), or_(FT.expires_on.is_(None), FT.expires_on >= today))
    stmt = (select(FT.track_id, Firm.town_id, Firm.industry_id, _flag(FT.stage.in_(PIPELINE_STAGES)), _flag(valid))
            .join(Firm, Firm.id == FT.firm_id)
            .where(FT.stage.in_((*PIPELINE_STAGES, *HOLDING)))
            .group_by(FT.track_id, Firm.town_id, Firm.industry_id))
    return _sum_by_town_and_industry(db.session.execute(stmt))


def count_flows_by_place(start: datetime, end: datetime, year_start: datetime,
                         year_first: date) -> tuple[dict, dict]:
    """(entered the pool in the period, certified in the period, certified for the first time with a certificate
    issued since year_first (1 January; year_start is its local midnight): the 新增 a target is measured by) per
    (track_id, town id) and per (track_id, industry id), from the place tally: distinct records add up, each
    belongs to one town and industry.

    新增 goes by the certificate's issue date, so that a certificate of an earlier year entered late (an import of
    the 高企 a county already had) does not count as this year's."""
    period, year = (start, end), (year_start, end)
    moved, moved_in_year = tallies.sum_place_tally([period, year])
    pairs = tallies.load_pairs([period, year], stages=tallies.PLACE_STAGES)
    counts = defaultdict(lambda: [0, 0, 0])
    for column, stage, counter in ((0, Stage.POOL, moved), (1, Stage.CERTIFIED, moved)):
        for key, moves in counter.items():
            if key.to_stage == stage:
                counts[key.track_id, key.town_id or None, key.industry_id or None][column] += moves
        repeats = tallies.count_repeats(pairs, period, lambda p, stage=stage: _place_of(p) if p.stage == stage else None)
        for place, repeated in repeats.items():
            counts[place][column] -= repeated
    for key, moves in moved_in_year.items():
        if key.first_year >= year_first.year:
            counts[key.track_id, key.town_id or None, key.industry_id or None][2] += moves
    new_in_year = tallies.count_repeats(pairs, year, lambda p: _place_of(p) if min(
        tallies.first_year(p.later), tallies.first_year(p.earlier)) >= year_first.year else None)
    for place, repeated in new_in_year.items():
        counts[place][2] -= repeated
    return _sum_by_town_and_industry((*place, *values) for place, values in counts.items())


def _place_of(pair: tallies.Pair):
    return (pair.later.track_id, pair.town_id or None, pair.industry_id or None) if pair.kind == "in" else None


def _sum_by_town_and_industry(rows) -> tuple[dict, dict]:
    """Rows of (track_id, town_id, industry_id, *counts) → {(track_id, town_id): counts}, {(track_id, industry_id): …}."""
    towns, industries = {}, {}
    for track_id, town_id, industry_id, *counts in rows:
        for totals, key in ((towns, (track_id, town_id)), (industries, (track_id, industry_id))):
            totals[key] = tuple(int(total or 0) + int(count or 0)
                                for total, count in zip(totals.get(key, (0,) * len(counts)), counts, strict=True))
    return towns, industries


def load_targets(year: int) -> dict[tuple[int, int | None], int]:
    """(track_id, town_id or None for the county) → target."""
    stmt = select(AnnualTarget.track_id, AnnualTarget.town_id, AnnualTarget.target).where(AnnualTarget.year == year)
    return {(track_id, town_id): target for track_id, town_id, target in db.session.execute(stmt)}


def load_names(model) -> list[tuple[int, str]]:
    """(id, name) of every town or industry, in display order."""
    return list(db.session.execute(select(model.id, model.name).order_by(model.sort_order, model.id)))


def _firm_rows(stmt, town_ids: Collection[int] | None, limit: int, zone: ZoneInfo) -> tuple[int, list[FirmRow]]:
    """Run a list query that selects the FirmRow columns; the total comes with the first `limit` rows."""
    if town_ids is not None:
        stmt = stmt.where(Firm.town_id.in_(list(town_ids)))
    # Two queries: a window count over the whole list would stop the database from reading just the first rows.
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(limit)).all()
    return total, [FirmRow(*row[:6], Stage(row[6]).value, _local_day(row[7], zone), row[8]) for row in rows]


def _local_day(value, zone: ZoneInfo) -> date | None:
    return value.astimezone(zone).date() if isinstance(value, datetime) else value


def _firm_columns(day_column, detail_column):
    return (Firm.id, Firm.name, Firm.credit_code, Town.name, Track.code, Track.short_name, FT.stage, day_column,
            func.coalesce(detail_column, ""))


def list_expiring_certificates(today: date, until: date, *, limit: int, zone: ZoneInfo,
                               town_ids: Collection[int] | None = None) -> tuple[int, list[FirmRow]]:
    """Certified records of multi-year tracks (高企) whose certificate expires between today and until."""
    stmt = (select(*_firm_columns(FT.expires_on, FT.certificate_number))
            .join(Firm, Firm.id == FT.firm_id).join(Town, Town.id == Firm.town_id).join(Track, Track.id == FT.track_id)
            .where(Track.validity_rule == "years", FT.stage.in_(HOLDING),
                   FT.expires_on >= today, FT.expires_on <= until)
            .order_by(FT.expires_on, Firm.id))
    return _firm_rows(stmt, town_ids, limit, zone)


def list_stale_records(now: datetime, today: date, stale_days: dict[Stage, int], *, limit: int, zone: ZoneInfo,
                       town_ids: Collection[int] | None = None) -> tuple[int, list[FirmRow]]:
    """Records without activity for longer than their stage allows, the longest-quiet first."""
    stmt = (select(*_firm_columns(FT.last_activity_at, None))
            .join(Firm, Firm.id == FT.firm_id).join(Town, Town.id == Firm.town_id).join(Track, Track.id == FT.track_id)
            .where(stale_condition(now, today, stale_days))
            .order_by(FT.last_activity_at, Firm.id))
    return _firm_rows(stmt, town_ids, limit, zone)


def list_missing_annual_reports(today: date, *, limit: int, zone: ZoneInfo,
                                town_ids: Collection[int] | None = None) -> tuple[int, list[FirmRow]]:
    """高企 that owe this year's annual development report and are not marked as having filed it, from 1 May on.

    The same firms as reminder rule 2 (pipeline/reminders/rules.py): certified before this year, no filing marked.
    """
    filed = select(AnnualReportFiling.firm_id).where(AnnualReportFiling.year == today.year)
    stmt = (select(*_firm_columns(FT.certified_on, FT.certificate_number))
            .join(Firm, Firm.id == FT.firm_id).join(Town, Town.id == Firm.town_id).join(Track, Track.id == FT.track_id)
            .where(Track.code == "hnte", FT.stage.in_(HOLDING),
                   or_(FT.certified_on.is_(None), FT.certified_on < date(today.year, 1, 1)), FT.firm_id.not_in(filed))
            .order_by(Firm.town_id, Firm.id))
    if today < date(today.year, 5, 1):
        stmt = stmt.where(false())  # not yet overdue; the query still runs so that the count of queries stays fixed
    return _firm_rows(stmt, town_ids, limit, zone)


MOVE_DETAILS = {"reason": SM.reason_code, "certificate": SM.certificate_number, "pool_number": FT.pool_number}


def list_moves_into(stages: Collection[Stage], start: datetime, end: datetime, *, limit: int, zone: ZoneInfo,
                    detail: str = "reason", town_ids: Collection[int] | None = None) -> tuple[int, list[FirmRow]]:
    """Records that moved into one of `stages` in the period: one row per record (its latest such move).

    detail: what the row's detail says, "reason" (code), "certificate" (number) or "pool_number".
    """
    latest = func.row_number().over(partition_by=SM.firm_track_id, order_by=(SM.moved_at.desc(), SM.id.desc()))
    moves = (select(SM.id.label("move_id"), latest.label("rn"))
             .where(SM.moved_at >= at(start), SM.moved_at < at(end), SM.to_stage.in_(list(stages)))
             .subquery("moves"))
    stmt = (select(Firm.id, Firm.name, Firm.credit_code, Town.name, Track.code, Track.short_name, SM.to_stage,
                   SM.moved_at, func.coalesce(MOVE_DETAILS[detail], ""))
            .select_from(moves).join(SM, SM.id == moves.c.move_id).join(FT, FT.id == SM.firm_track_id)
            .join(Firm, Firm.id == SM.firm_id).join(Town, Town.id == Firm.town_id).join(Track, Track.id == SM.track_id)
            .where(moves.c.rn == 1)
            .order_by(SM.moved_at, SM.id))
    return _firm_rows(stmt, town_ids, limit, zone)


def _when(condition, then, otherwise=None):
    return case((condition, then), else_=otherwise)

