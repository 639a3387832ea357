"""The board's per-stage counts from the stage tally (migration 0014): constant time whatever the county's size.

Triggers append a +1 / -1 row to stage_tally for every change of a record's track, town or stage, so a count is the
sum of a track's rows. recount_stage_tally() replaces the rows by one per track, town and stage counted from the
records: the scheduler runs it hourly (and the bulk county after its load), which keeps the sums short and mends
any drift.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, insert, select

from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, StageTally


def tallied_by_stage(track_id: int, town_ids: Collection[int] | None = None) -> dict[Stage, int]:
    """How many records of a track are in each stage, in these towns (None: all), from the tally."""
    stmt = (select(StageTally.stage, func.sum(StageTally.records)).where(StageTally.track_id == track_id)
            .group_by(StageTally.stage))
    if town_ids is not None:
        stmt = stmt.where(StageTally.town_id.in_(sorted(town_ids)))
    return {stage: int(total) for stage, total in db.session.execute(stmt) if total}


def recount_stage_tally(connection=None) -> int:
    """Replace the tally by one row per track, town and stage counted from the records; returns the rows written.

    Without `connection` it runs in a transaction of its own and commits. Both statements must read one snapshot:
    rows that moves append meanwhile (and commit) stay, and their moves are not counted a second time. SQLite gives
    that inside one transaction; PostgreSQL needs REPEATABLE READ. With `connection` (a bulk load's own, no other
    writer) it runs there and the caller commits."""
    if connection is not None:
        return _recount(connection)
    options = {"isolation_level": "REPEATABLE READ"} if db.engine.dialect.name == "postgresql" else {}
    with db.engine.connect().execution_options(**options) as own, own.begin():
        return _recount(own)


def _recount(connection) -> int:
    counted = (select(FirmTrack.track_id, Firm.town_id, FirmTrack.stage, func.count())
               .join(Firm, Firm.id == FirmTrack.firm_id)
               .group_by(FirmTrack.track_id, Firm.town_id, FirmTrack.stage))
    connection.execute(delete(StageTally))
    connection.execute(insert(StageTally).from_select(["track_id", "town_id", "stage", "records"], counted))
    return connection.scalar(select(func.count(StageTally.id)))


def recount_stage_tally_job(now) -> str:
    """Scheduler job (pipeline/scheduler.py: JOBS)."""
    return f"计数表重算为 {recount_stage_tally()} 行"
