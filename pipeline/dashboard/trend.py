"""The monthly trend of each track: entries into 入库, into 认定, and exits, month by month over the last 12 months.

Each month is counted as the dashboard counts a period: records that moved into the stage in that month (one record
moving in twice counts once), exits per exit stage and reason as in the exits table.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pipeline.dashboard import tallies
from pipeline.dashboard.sql import EXIT_STAGES
from pipeline.domain.periods import local_midnight
from pipeline.domain.stages import Stage

TREND_MONTHS = 12
_COUNTED = tuple(stage.value for stage in (Stage.POOL, Stage.CERTIFIED, *EXIT_STAGES))


@dataclass(frozen=True)
class TrendMonth:
    first: date  # the month's first day
    entered_pool: int
    certified: int
    exited: int


def trend_months(through: date, months: int = TREND_MONTHS) -> list[date]:
    """The first days of the `months` months that end with the month of `through`, oldest first."""
    index = through.year * 12 + through.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def count_monthly_trend(through: date, end: datetime, zone: ZoneInfo) -> dict[int, tuple[TrendMonth, ...]]:
    """track_id → the 12 months up to the month of `through`, counted until `end` (now, for a running month), from
    the day tally (pipeline/dashboard/tallies.py)."""
    firsts = trend_months(through)
    starts = [local_midnight(first, zone) for first in firsts]
    windows = list(zip(starts, [*starts[1:], end], strict=True))
    pairs = tallies.load_pairs(windows, stages=_COUNTED)
    counts: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for index, (window, moved) in enumerate(zip(windows, tallies.sum_day_tally(windows), strict=True)):
        records = Counter()
        for key, moves in moved.items():
            if key.to_stage in _COUNTED:
                records[_group(key.track_id, key.to_stage, key.reason)] += moves
        records.subtract(tallies.count_repeats(pairs, window, _repeat_group))
        for (track_id, stage, _reason), count in records.items():
            column = 0 if stage == Stage.POOL else 1 if stage == Stage.CERTIFIED else 2
            counts[track_id][index][column] += count
    return {track_id: tuple(TrendMonth(first, *by_month[index]) for index, first in enumerate(firsts))
            for track_id, by_month in counts.items()}


def _group(track_id: int, stage: str, reason: str) -> tuple[int, str, str]:
    """Exits count per stage and reason (as the exits table does); entries per stage only."""
    return track_id, stage, reason if stage in EXIT_STAGES else ""


def _repeat_group(pair: tallies.Pair):
    if pair.kind != "in" or _group(0, pair.stage, pair.later.reason) != _group(0, pair.stage, pair.earlier.reason):
        return None
    return _group(pair.later.track_id, pair.stage, pair.later.reason)


def empty_trend(through: date) -> tuple[TrendMonth, ...]:
    return tuple(TrendMonth(first, 0, 0, 0) for first in trend_months(through))
