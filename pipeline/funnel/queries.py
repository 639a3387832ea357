"""Read-side queries of the funnel."""

from __future__ import annotations

from sqlalchemy import func, select

from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.funnel.models import FirmTrack, Track


def list_tracks(active_only: bool = True) -> list[Track]:
    stmt = select(Track).order_by(Track.sort_order, Track.id)
    if active_only:
        stmt = stmt.where(Track.active.is_(True))
    return list(db.session.scalars(stmt))


def count_by_stage(track_id: int) -> dict[Stage, int]:
    """Count the firms in each stage of one track, in SQL."""
    rows = db.session.execute(
        select(FirmTrack.stage, func.count()).where(FirmTrack.track_id == track_id).group_by(FirmTrack.stage)
    )
    return {stage: count for stage, count in rows}
