"""Changes the dashboard's admin makes: the annual certification targets and the yearly baselines."""

from __future__ import annotations

from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.dashboard.models import AnnualBaseline, AnnualTarget
from pipeline.extensions import db

TargetKey = tuple[int, int | None]  # (track_id, town_id or None for the county)


def set_annual_targets(year: int, values: dict[TargetKey, int | None], *, actor: User) -> int:
    """Set the year's targets (None clears one); return how many changed. Flushes, never commits."""
    existing = {(row.track_id, row.town_id): row
                for row in db.session.scalars(select(AnnualTarget).where(AnnualTarget.year == year))}
    changed = 0
    for (track_id, town_id), value in values.items():
        row = existing.get((track_id, town_id))
        if value is None:
            if row is not None:
                db.session.delete(row)
                changed += 1
        elif row is None:
            db.session.add(AnnualTarget(track_id=track_id, year=year, town_id=town_id, target=value,
                                        updated_by_id=actor.id))
            changed += 1
        elif row.target != value:
            row.target, row.updated_by_id = value, actor.id
            changed += 1
    db.session.flush()
    return changed


def set_annual_baselines(year: int, values: dict[int, tuple[int | None, str]], *, actor: User) -> int:
    """Set each track's baseline of the year (value None clears it); return how many changed. Flushes only."""
    existing = {row.track_id: row
                for row in db.session.scalars(select(AnnualBaseline).where(AnnualBaseline.year == year))}
    changed = 0
    for track_id, (value, note) in values.items():
        row = existing.get(track_id)
        if value is None:
            if row is not None:
                db.session.delete(row)
                changed += 1
        elif row is None:
            db.session.add(AnnualBaseline(track_id=track_id, year=year, value=value, note=note, updated_by_id=actor.id))
            changed += 1
        elif (row.value, row.note) != (value, note):
            row.value, row.note, row.updated_by_id = value, note, actor.id
            changed += 1
    db.session.flush()
    return changed
