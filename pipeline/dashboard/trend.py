"""The monthly trend of each track: entries into 入库, into 认定, and exits, month by month over the last 12 months.

Each month is counted as the dashboard counts a period: records that moved into the stage in that month (one record
moving in twice counts once), exits per exit stage and reason as in the exits table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, distinct, func, literal, null, select

from pipeline.dashboard.sql import EXIT_STAGES, at
from pipeline.domain.periods import local_midnight
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.funnel.models import StageMove as SM

TREND_MONTHS = 12
_COUNTED = (Stage.POOL, Stage.CERTIFIED, *EXIT_STAGES)


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
    """track_id → the 12 months up to the month of `through`, counted until `end` (now, for a running month)."""
    firsts = trend_months(through)
    bounds = [local_midnight(first, zone) for first in firsts[1:]] + [end]
    month = case(*[(SM.moved_at < at(bound), index) for index, bound in enumerate(bounds)], else_=literal(None))
    # Exits count per stage and reason (as the exits table does); entries per stage only.
    reason = case((SM.to_stage.in_(EXIT_STAGES), SM.reason_code), else_=null())
    moves = (select(SM.track_id, SM.firm_track_id, SM.to_stage, month.label("month"), reason.label("reason"))
             .where(SM.moved_at >= at(local_midnight(firsts[0], zone)), SM.moved_at < at(end),
                    SM.to_stage.in_(_COUNTED))
             .subquery("moves"))
    stmt = (select(moves.c.track_id, moves.c.month, moves.c.to_stage, func.count(distinct(moves.c.firm_track_id)))
            .group_by(moves.c.track_id, moves.c.month, moves.c.to_stage, moves.c.reason))
    counts: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for track_id, index, stage, records in db.session.execute(stmt):
        column = 0 if stage == Stage.POOL else 1 if stage == Stage.CERTIFIED else 2
        counts[track_id][index][column] += records
    return {track_id: tuple(TrendMonth(first, *by_month[index]) for index, first in enumerate(firsts))
            for track_id, by_month in counts.items()}


def empty_trend(through: date) -> tuple[TrendMonth, ...]:
    return tuple(TrendMonth(first, 0, 0, 0) for first in trend_months(through))
