"""Counts of moves over any windows of time from the tallies of migration 0026, exact and of a cost that does not
grow with the county.

stage_move_day holds the moves of each bureau day (UTC+8), stage_move_place those into 入库 and 认定 of each bureau
month per town and industry. A window [a, b) is summed from the whole days (months) inside it; a day (month) that
holds an edge not at its midnight is read from stage_move itself, so any zone and a running period (b = now) stay
exact. Distinct records: within a window, a record's second move into the same group is the later move of a pair
of stage_move_pair lying in the window; the sums less those later moves are the distinct records.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select, true

from pipeline.dashboard.models import StageMoveDay, StageMovePair, StageMovePlace
from pipeline.dashboard.sql import at
from pipeline.domain.periods import add_months
from pipeline.domain.stages import COUNTED_LEVELS, EntryClass, Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import StageMove as SM

BUREAU_OFFSET = timedelta(hours=8)  # the tallies' days are those of UTC+8 (Asia/Shanghai): migration 0026
PLACE_STAGES = (Stage.POOL.value, Stage.CERTIFIED.value)
_COUNTED = frozenset(level.value for level in COUNTED_LEVELS)

Window = tuple[datetime, datetime | None]  # [start, end); None: no end


@dataclass(frozen=True)
class DayKey:
    """What stage_move_day counts a move by ('' and 0 for none)."""

    track_id: int
    to_stage: str
    from_stage: str
    reason: str
    entry_class: str
    issued_year: int
    level: str


@dataclass(frozen=True)
class PlaceKey:
    """What stage_move_place counts a move into 入库 or 认定 by (0 for no town, no industry, not a 新增)."""

    track_id: int
    to_stage: str
    town_id: int
    industry_id: int
    first_year: int


@dataclass(frozen=True)
class Pair:
    """Two moves of one record into (kind 'in') or out of ('out') the same stage: the later and the earlier."""

    kind: str
    stage: str
    later_id: int
    later_at: datetime
    earlier_at: datetime
    later: DayKey
    earlier: DayKey
    town_id: int
    industry_id: int


def counted_level(level: str) -> bool:
    """As figures.counted_level: no level (a track without levels), or 市级 and above."""
    return not level or level in _COUNTED


def first_year(key: DayKey) -> int:
    """The year for which a move is a 新增 (its certificate's issue year), 0 for any other move: as migration 0026."""
    is_new = key.to_stage == Stage.CERTIFIED and key.entry_class == EntryClass.FIRST_TIME and counted_level(key.level)
    return key.issued_year if is_new else 0


@dataclass(frozen=True)
class _Grain:
    name: str  # day | month

    def bucket(self, moment: datetime) -> date:
        day = (moment.astimezone(UTC) + BUREAU_OFFSET).date()
        return day if self.name == "day" else day.replace(day=1)

    def start(self, bucket: date) -> datetime:
        return datetime.combine(bucket, time(), tzinfo=UTC) - BUREAU_OFFSET

    def next(self, bucket: date) -> date:
        return bucket + timedelta(days=1) if self.name == "day" else add_months(bucket, 1)


DAY, MONTH = _Grain("day"), _Grain("month")


def _plan(grain: _Grain, windows: Sequence[Window]) -> tuple[list[date], list[date]]:
    """The buckets where segments begin, and the buckets to read from the history (an edge inside them)."""
    edges, raw = set(), set()
    for edge in (edge for window in windows for edge in window if edge is not None):
        bucket = grain.bucket(edge)
        edges.add(bucket)
        if grain.start(bucket) != edge:
            raw.add(bucket)
            edges.add(grain.next(bucket))
    return sorted(edges), sorted(raw)


def _sum_windows(grain: _Grain, windows: Sequence[Window], column, tally: Callable, history: Callable) -> list[Counter]:
    """Per window, a Counter of moves by key: whole buckets from `tally(segment, first, skipped)` rows of (segment,
    key, moves), where segment numbers the buckets between two edges (`column`: the tally's bucket), and the buckets
    holding an edge from `history(ranges)` rows of (moved_at, key)."""
    totals = [Counter() for _ in windows]
    edges, raw = _plan(grain, windows)
    if not edges:
        return totals
    segment = case(*[(column < edge, index) for index, edge in enumerate(edges[1:])], else_=len(edges) - 1) \
        if len(edges) > 1 else literal(0)
    starts = [grain.start(edge) for edge in edges]
    for index, key, moves in tally(segment, edges[0], raw):
        begin, end = starts[index], starts[index + 1] if index + 1 < len(starts) else None
        for total, (a, b) in zip(totals, windows, strict=True):
            if a <= begin and (b is None or (end is not None and end <= b)):
                total[key] += moves
    if raw:
        for moved_at, key in history([(grain.start(bucket), grain.start(grain.next(bucket))) for bucket in raw]):
            for total, (a, b) in zip(totals, windows, strict=True):
                if a <= moved_at and (b is None or moved_at < b):
                    total[key] += 1
    return totals


def _in_ranges(ranges: Iterable[tuple[datetime, datetime]]):
    return or_(*[and_(SM.moved_at >= at(a), SM.moved_at < at(b)) for a, b in ranges])


def _day_key(track_id, to_stage, from_stage, reason, entry_class, issued_year, level) -> DayKey:
    return DayKey(track_id, str(to_stage), str(from_stage or ""), reason or "", entry_class or "",
                  int(issued_year or 0), level or "")


def _day_tally_rows(segment, first: date, skipped: list[date]):
    t = StageMoveDay
    keys = (t.track_id, t.to_stage, t.from_stage, t.reason_code, t.entry_class, t.issued_year, t.level)
    stmt = (select(segment.label("segment"), *keys, func.sum(t.moves))
            .where(t.day >= first, t.day.not_in(skipped) if skipped else true())
            .group_by(segment, *keys))
    for index, *key, moves in db.session.execute(stmt):
        yield index, _day_key(*key), int(moves)


def _day_history_rows(ranges):
    stmt = select(SM.moved_at, SM.track_id, SM.to_stage, SM.from_stage, SM.reason_code, SM.entry_class,
                  SM.issued_on, SM.level).where(_in_ranges(ranges))
    for moved_at, track_id, to_stage, from_stage, reason, entry_class, issued_on, level in db.session.execute(stmt):
        yield moved_at, _day_key(track_id, to_stage.value, from_stage.value if from_stage else "", reason, entry_class,
                                 issued_on.year if issued_on else 0, level)


def sum_day_tally(windows: Sequence[Window]) -> list[Counter[DayKey]]:
    """Per window, the moves by DayKey."""
    return _sum_windows(DAY, windows, StageMoveDay.day, _day_tally_rows, _day_history_rows)


def _place_tally_rows(segment, first: date, skipped: list[date]):
    t = StageMovePlace
    keys = (t.track_id, t.to_stage, t.town_id, t.industry_id, t.first_year)
    stmt = (select(segment.label("segment"), *keys, func.sum(t.moves))
            .where(t.month >= first, t.month.not_in(skipped) if skipped else true())
            .group_by(segment, *keys))
    for index, track_id, to_stage, town_id, industry_id, year, moves in db.session.execute(stmt):
        yield index, PlaceKey(track_id, to_stage, town_id, industry_id, year), int(moves)


def _place_history_rows(ranges):
    stmt = (select(SM.moved_at, SM.track_id, SM.to_stage, Firm.town_id, Firm.industry_id, SM.entry_class,
                   SM.issued_on, SM.level)
            .join(Firm, Firm.id == SM.firm_id)
            .where(SM.to_stage.in_(PLACE_STAGES), _in_ranges(ranges)))
    for moved_at, track_id, to_stage, town_id, industry_id, entry_class, issued_on, level in db.session.execute(stmt):
        key = _day_key(track_id, to_stage.value, "", None, entry_class, issued_on.year if issued_on else 0, level)
        yield moved_at, PlaceKey(track_id, to_stage.value, town_id or 0, industry_id or 0, first_year(key))


def sum_place_tally(windows: Sequence[Window]) -> list[Counter[PlaceKey]]:
    """Per window, the moves into 入库 and 认定 by PlaceKey."""
    return _sum_windows(MONTH, windows, StageMovePlace.month, _place_tally_rows, _place_history_rows)


def load_pairs(windows: Sequence[Window], stages: Iterable[str] | None = None) -> list[Pair]:
    """The pairs of moves that lie within the span of the windows (with the firm's town and industry)."""
    first = min(a for a, _b in windows)
    ends = [b for _a, b in windows]
    p = StageMovePair
    stmt = (select(p.kind, p.stage, p.later_id, p.later_at, p.earlier_at, p.track_id, p.later_reason,
                   p.earlier_reason, p.later_class, p.earlier_class, p.later_issued_year, p.earlier_issued_year,
                   p.later_level, p.earlier_level, Firm.town_id, Firm.industry_id)
            .join(Firm, Firm.id == p.firm_id)
            .where(p.earlier_at >= at(first)))
    if None not in ends:
        stmt = stmt.where(p.later_at < at(max(ends)))
    if stages is not None:
        stmt = stmt.where(p.stage.in_(list(stages)))
    pairs = []
    for (kind, stage, later_id, later_at, earlier_at, track_id, l_reason, e_reason, l_class, e_class, l_year, e_year,
         l_level, e_level, town_id, industry_id) in db.session.execute(stmt):
        to_stage = stage if kind == "in" else ""
        from_stage = stage if kind == "out" else ""
        pairs.append(Pair(kind, stage, later_id, later_at, earlier_at,
                          DayKey(track_id, to_stage, from_stage, l_reason, l_class, l_year, l_level),
                          DayKey(track_id, to_stage, from_stage, e_reason, e_class, e_year, e_level),
                          town_id or 0, industry_id or 0))
    return pairs


def count_repeats(pairs: Iterable[Pair], window: Window, group: Callable[[Pair], Hashable | None]) -> Counter:
    """group → the moves in `window` that a record made into a group it had already moved into within the window
    (group(pair): the group both moves of the pair count in, None when they do not count together)."""
    a, b = window
    later = defaultdict(set)
    for pair in pairs:
        if pair.earlier_at >= a and (b is None or pair.later_at < b):
            key = group(pair)
            if key is not None:
                later[key].add(pair.later_id)
    return Counter({key: len(ids) for key, ids in later.items()})


def distinct_records(moves: Counter, repeats: Counter) -> Counter:
    """Distinct records per group: the moves less the repeats."""
    return Counter({key: count - repeats.get(key, 0) for key, count in moves.items()})
