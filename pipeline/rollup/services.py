"""The roll-up of a city or province: each county's figures computed in that county's own scope by the dashboard's
services, and their sums. Summing per county (rather than reading one query over the whole scope) gives the same,
exact figures on SQLite and PostgreSQL, and keeps each county's target its own: a county-wide target is a row per
county, so one query over a city would see several per track."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import aliased

from pipeline.dashboard.figures import TrackFigures, build_county_figures
from pipeline.dashboard.stats import FunnelStats, build_funnel_stats
from pipeline.dashboard.stats_cache import cache_key, cached_stats
from pipeline.domain.periods import Period, year_progress
from pipeline.extensions import db
from pipeline.funnel.queries import list_tracks
from pipeline.policies.queries import PaidTable, incentives_paid_this_year
from pipeline.tenancy.models import Authority
from pipeline.tenancy.scope import county_scope, use_scope

# How the ranking may be ordered (?sort=): completion high → low (the default), low → high, 新增, the tree's order.
SORTS = ("completion", "completion_asc", "first_time", "name")
SUMMED = ("first_time", "repeat", "restored", "valid_at_start", "valid_at_end", "valid_now")


@dataclass(frozen=True)
class County:
    id: int
    name: str
    city: str  # the city it belongs to ('' when it hangs directly below a province)
    order: int  # its place in the tree's order


@dataclass(frozen=True)
class CountyRow:
    """One county in a track's ranking: its own figures of the year and its rank by completion."""

    county: County
    figures: TrackFigures
    rank: int | None  # 1 = highest completion; None: no target to measure it by

    @property
    def share_reached(self) -> Fraction | None:
        return self.figures.share_reached


@dataclass(frozen=True)
class TrackRollup:
    code: str
    name: str
    name_en: str  # for the track_name filter
    short_name: str
    total: TrackFigures  # the counties' sums; its target sums the targets that are set
    rows: tuple[CountyRow, ...]  # in the order asked for

    @property
    def without_target(self) -> int:
        return sum(1 for row in self.rows if not row.figures.target)


@dataclass(frozen=True)
class Rollup:
    year: int
    through: date  # the last day counted: 31 December, or today while the year runs
    progress: Fraction  # share of the year gone by `through`
    sort: str
    counties: tuple[County, ...]
    tracks: tuple[TrackRollup, ...]


def list_counties(county_ids: Collection[int]) -> list[County]:
    """The counties of `county_ids` with the city above each, in the tree's order."""
    parent = aliased(Authority)
    stmt = (select(Authority.id, Authority.name, parent.name.label("parent_name"), parent.level.label("parent_level"))
            .outerjoin(parent, parent.id == Authority.parent_id)
            .where(Authority.id.in_(list(county_ids)), Authority.level == "county")
            .order_by(parent.sort_order, parent.id, Authority.sort_order, Authority.id))
    return [County(row.id, row.name, row.parent_name if row.parent_level == "city" else "", order)
            for order, row in enumerate(db.session.execute(stmt))]


def sum_figures(parts: list[TrackFigures], *, code: str, name: str, year: int, through: date) -> TrackFigures:
    """The counties' figures of one track added up: targets and baselines over those that have one (None if none)."""
    totals = {key: sum(getattr(part, key) for part in parts) for key in SUMMED}
    targets = [part.target for part in parts if part.target is not None]
    baselines = [part.baseline for part in parts if part.baseline is not None]
    return TrackFigures(code=code, name=name, year=year, through=through, target=sum(targets) if targets else None,
                        baseline=sum(baselines) if baselines else None, **totals)


def rank_counties(rows: list[tuple[County, TrackFigures]], sort: str) -> tuple[CountyRow, ...]:
    """Rank the counties by completion (新增 ÷ target; equal shares share a rank), then order them as asked; counties
    without a target have no rank and come last in either completion order."""
    shares = [figures.share_reached for _county, figures in rows if figures.share_reached is not None]

    def rank(figures: TrackFigures) -> int | None:
        mine = figures.share_reached
        return None if mine is None else 1 + sum(1 for other in shares if other > mine)

    ranked = [CountyRow(county, figures, rank(figures)) for county, figures in rows]

    def key(row: CountyRow):
        unranked, share = row.share_reached is None, row.share_reached or Fraction(0)
        if sort == "name":
            return (row.county.order,)
        if sort == "first_time":
            return -row.figures.first_time, row.county.order
        direction = 1 if sort == "completion_asc" else -1
        return unranked, direction * share, -row.figures.first_time, row.county.order

    return tuple(sorted(ranked, key=key))


def build_rollup(county_ids: Collection[int], year: int, *, today: date, zone: ZoneInfo,
                 sort: str = "completion") -> Rollup:
    """Every active track's figures of `year` for each county of `county_ids`, their sums and the ranking."""
    through = max(date(year, 1, 1), min(date(year, 12, 31), today))
    counties, tracks = list_counties(county_ids), list_tracks()
    figures = build_county_figures([county.id for county in counties], year, today=today, zone=zone, tracks=tracks)
    rollups = []
    for track in tracks:
        rows = [(county, figures[county.id][track.code]) for county in counties]
        total = sum_figures([part for _county, part in rows], code=track.code, name=track.name, year=year,
                            through=through)
        rollups.append(TrackRollup(track.code, track.name, track.name_en, track.short_name, total,
                                   rank_counties(rows, sort)))
    return Rollup(year, through, year_progress(through), sort, tuple(counties), tuple(rollups))


def county_dashboard(county_id: int, period: Period, *, now: datetime, zone: ZoneInfo, list_limit: int,
                     max_age: float) -> tuple[FunnelStats, tuple[int, PaidTable]]:
    """The dashboard of one county as its own leader sees it (the same cache entry, too), and its block of
    incentives paid this year, both read in the county's scope."""
    with use_scope(county_scope(county_id), db.session):
        stats = cached_stats(cache_key(period.key, None, list_limit), lambda: build_funnel_stats(
            period, now=now, zone=zone, town_ids=None, list_limit=list_limit), max_age=max_age)
        return stats, incentives_paid_this_year()


class NoLinks:
    """Stands in for pipeline.dashboard.links on a county's dashboard seen from above: every number is shown without
    its link to the firm list (the city's list is not the county's figure, and leads on to firms' contacts)."""

    def __getattr__(self, _name: str):
        return lambda *_args, **_kwargs: None
