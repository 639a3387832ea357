"""Targets that cascade (issue 24): a city sets its counties' county-wide targets, each county its towns'.

A city's target is the county's own annual_target row (town_id NULL) marked with the city's id; the county's
targets page shows it read-only. Services flush; the view commits."""

from __future__ import annotations

from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.dashboard.models import AnnualTarget
from pipeline.extensions import db
from pipeline.tenancy.models import Authority, AuthorityLevel
from pipeline.tenancy.scope import county_scope, use_scope
from pipeline.tenancy.web import staff_level

CityTargetKey = tuple[int, int]  # (county_id, track_id)


def is_city_user(user: User) -> bool:
    """A staff user of a city bureau (市科技局): reads its counties, and sets their targets if an admin."""
    return staff_level(user) == AuthorityLevel.CITY.value


def list_city_counties(city_id: int) -> list[Authority]:
    """The counties directly below the city, in the tree's order (the same on both databases)."""
    return list(db.session.scalars(select(Authority).where(
        Authority.parent_id == city_id, Authority.level == AuthorityLevel.COUNTY.value)
        .order_by(Authority.sort_order, Authority.id)))


def load_city_targets(county_ids: list[int], year: int) -> dict[CityTargetKey, tuple[int, int | None]]:
    """(county_id, track_id) → (county-wide target, the authority that set it or None: the county itself)."""
    stmt = select(AnnualTarget.county_id, AnnualTarget.track_id, AnnualTarget.target, AnnualTarget.set_by_authority_id
                  ).where(AnnualTarget.year == year, AnnualTarget.town_id.is_(None),
                          AnnualTarget.county_id.in_(county_ids))
    return {(row.county_id, row.track_id): (row.target, row.set_by_authority_id) for row in db.session.execute(stmt)}


def set_county_targets(city_id: int, year: int, values: dict[CityTargetKey, int | None], *, actor: User) -> int:
    """Set the county-wide targets the city gives its counties (None withdraws the city's target, leaving one the
    county set itself alone); return how many changed. Each county's rows are written in that county's scope."""
    # Read first: inside a county's scope the city's own user is out of sight, were it to be reloaded.
    changed, actor_id = 0, actor.id
    for county_id in sorted({county for county, _track in values}):
        with use_scope(county_scope(county_id), db.session):
            existing = {row.track_id: row for row in db.session.scalars(select(AnnualTarget).where(
                AnnualTarget.year == year, AnnualTarget.town_id.is_(None), AnnualTarget.county_id == county_id))}
            for (county, track_id), value in values.items():
                if county == county_id:
                    changed += _set_one(existing.get(track_id), county_id, track_id, year, value, city_id, actor_id)
            db.session.flush()
    return changed


def _set_one(row: AnnualTarget | None, county_id: int, track_id: int, year: int, value: int | None, city_id: int,
             actor_id: int) -> int:
    if value is None:
        if row is None or row.set_by_authority_id != city_id:
            return 0
        db.session.delete(row)
    elif row is None:
        db.session.add(AnnualTarget(county_id=county_id, track_id=track_id, year=year, town_id=None, target=value,
                                    updated_by_id=actor_id, set_by_authority_id=city_id))
    elif (row.target, row.set_by_authority_id) != (value, city_id):
        row.target, row.set_by_authority_id, row.updated_by_id = value, city_id, actor_id
    else:
        return 0
    return 1


def city_set_targets(year: int) -> dict[int, int]:
    """track_id → the county-wide target of the year that a city set for the current county (read-only there)."""
    stmt = select(AnnualTarget.track_id, AnnualTarget.target).where(
        AnnualTarget.year == year, AnnualTarget.town_id.is_(None), AnnualTarget.set_by_authority_id.is_not(None))
    return {track_id: target for track_id, target in db.session.execute(stmt)}


def changes_locked_target(submitted, locked: dict[int, int], field_name) -> bool:
    """Whether a submitted form tries to change a county-wide target the city set (a browser sends none)."""
    for track_id, value in locked.items():
        raw = submitted.get(field_name(track_id, None))
        if raw is not None and raw.strip() != str(value):
            return True
    return False
