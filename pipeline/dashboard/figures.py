"""The figures a county bureau reports upward, per track and year: the target and what it is measured by.

新增 (first_time) counts firms that reached the track's status for the first time in the year; 重新认定 (repeat)
counts a new certificate after an earlier one (a 高企 certified again, a 科小's yearly re-registration); 净增 is
the number of valid records at the year end (today, while the year runs) minus those valid on 1 January. "Valid"
means in 认定 with `expires_on` not passed, everywhere. On a levelled track (企业研发机构) only recognitions at
市级 and above count, as the county's target does. The dashboard, the targets page and `flask targets status`
read these same figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import String, func, literal, or_, select, union_all

from pipeline.dashboard import tallies
from pipeline.dashboard.models import AnnualBaseline, AnnualTarget
from pipeline.dashboard.sql import at
from pipeline.domain.periods import local_midnight, share
from pipeline.domain.stages import COUNTED_LEVELS, HOLDING, EntryClass, Stage
from pipeline.extensions import db
from pipeline.funnel.models import FirmTrack, StageMove
from pipeline.funnel.queries import list_tracks

FT, SM = FirmTrack, StageMove


@dataclass(frozen=True)
class TrackFigures:
    code: str
    name: str
    year: int
    target: int | None  # county-wide 新增 target of the year
    first_time: int
    repeat: int
    restored: int
    valid_at_start: int  # valid on 1 January
    valid_at_end: int  # valid on 31 December, or on `through` while the year runs
    through: date  # the day valid_at_end is counted on
    valid_now: int
    baseline: int | None  # the admin's figure for the year (e.g. 2021's, before the system), if any

    @property
    def net_increase(self) -> int:
        return self.valid_at_end - self.valid_at_start

    @property
    def share_reached(self) -> Fraction | None:
        return share(self.first_time, self.target)

    def as_json(self) -> dict[str, int | None]:
        """The keys `flask targets status --json` prints, exactly these."""
        return {"target": self.target, "first_time": self.first_time, "repeat": self.repeat,
                "net_increase": self.net_increase, "valid_now": self.valid_now, "baseline": self.baseline}


def build_track_figures(year: int, *, today: date, zone: ZoneInfo, through: date | None = None,
                        tracks=None, county_targets: dict[int, int] | None = None) -> dict[str, TrackFigures]:
    """Every active track's figures of `year` from 1 January to `through` (default: 31 December, or today while the
    year runs), by code; valid_now is always today's. One statement (the dashboard passes the tracks and targets it
    has already read)."""
    first = date(year, 1, 1)
    through = max(first, min(date(year, 12, 31), through or today))
    counts = count_figures(year, first, through, today, zone)
    targets = county_targets if county_targets is not None else load_county_targets(year)
    figures = {}
    for track in tracks if tracks is not None else list_tracks():
        def get(key, track_id=track.id, default=0):
            return counts.get((key, track_id), default)

        figures[track.code] = TrackFigures(
            track.code, track.name, year, targets.get(track.id), *(get(kind.value) for kind in EntryClass),
            get("start"), get("end"), through, get("now"), get("baseline", default=None))
    return figures


def count_figures(year: int, first: date, through: date, today: date, zone: ZoneInfo) -> dict[tuple[str, int], int]:
    """(key, track_id) → figure: the records valid on `first` ("start") and on `through` ("end") read from the
    history, those valid today ("now") read from the records and the admin's baseline of the year ("baseline") in
    one statement; the entries into 认定 from `first` to `through` by class (key: the class; a certificate issued
    before `first` but entered late is not this year's) from the day tally."""
    valid_now = (select(_key("now"), FT.track_id, func.count())
                 .where(FT.stage.in_(list(HOLDING)), or_(FT.expires_on.is_(None), FT.expires_on >= today),
                        counted_level(FT.level))
                 .group_by(FT.track_id))
    baselines = select(_key("baseline"), AnnualBaseline.track_id, AnnualBaseline.value).where(
        AnnualBaseline.year == year)
    parts = (_valid_on("start", first, zone), _valid_on("end", through, zone), valid_now, baselines)
    counts = {(key, track_id): count for key, track_id, count in db.session.execute(union_all(*parts))}
    window = (local_midnight(first, zone), local_midnight(through + timedelta(days=1), zone))
    return counts | count_entries_by_class(window, first.year)


def count_entries_by_class(window: tallies.Window, year: int) -> dict[tuple[str, int], int]:
    """(entry class, track_id) → records that entered 认定 in the window with a certificate issued in `year` or later
    at a counted level, from the day tally (pipeline/dashboard/tallies.py)."""
    def counted(key: tallies.DayKey) -> bool:
        return (key.to_stage == Stage.CERTIFIED and bool(key.entry_class) and key.issued_year >= year
                and tallies.counted_level(key.level))

    def group(pair: tallies.Pair):
        both = pair.kind == "in" and counted(pair.later) and counted(pair.earlier)
        return (pair.later.entry_class, pair.later.track_id) if both and pair.later.entry_class == pair.earlier.entry_class else None

    records = Counter()
    for key, moves in tallies.sum_day_tally([window])[0].items():
        if counted(key):
            records[key.entry_class, key.track_id] += moves
    records.subtract(tallies.count_repeats(tallies.load_pairs([window], stages=[Stage.CERTIFIED.value]), window, group))
    return {key: count for key, count in records.items() if count}


def counted_level(column):
    """A recognition the figures count: any, on tracks without levels; 市级 and above on a levelled track."""
    return or_(column.is_(None), column.in_([level.value for level in COUNTED_LEVELS]))


def _key(key: str):
    return literal(key, String(16)).label("key")


def _valid_on(key: str, day: date, zone: ZoneInfo):
    """Records valid on `day`: the record's last move by the end of that day put it in a stage that holds the status,
    with a certificate whose expiry date is not before `day`. Only records that ever entered 认定 are read."""
    moment = local_midnight(day + timedelta(days=1), zone)
    ever = select(SM.firm_track_id).where(SM.to_stage == Stage.CERTIFIED, SM.moved_at < at(moment))
    latest = func.row_number().over(partition_by=SM.firm_track_id, order_by=(SM.moved_at.desc(), SM.id.desc()))
    moves = (select(SM.track_id, SM.to_stage, SM.expires_on, SM.level, latest.label("rn"))
             .where(SM.moved_at < at(moment), SM.firm_track_id.in_(ever))
             .subquery(f"moves_{key}"))
    return (select(_key(key), moves.c.track_id, func.count())
            .where(moves.c.rn == 1, moves.c.to_stage.in_(list(HOLDING)),
                   or_(moves.c.expires_on.is_(None), moves.c.expires_on >= day), counted_level(moves.c.level))
            .group_by(moves.c.track_id))


def load_county_targets(year: int) -> dict[int, int]:
    """track_id → the county-wide target of the year."""
    stmt = select(AnnualTarget.track_id, AnnualTarget.target).where(
        AnnualTarget.year == year, AnnualTarget.town_id.is_(None))
    return dict(db.session.execute(stmt).all())


def load_baselines(year: int) -> dict[int, tuple[int, str]]:
    """track_id → (baseline figure, what it counts) of the year."""
    stmt = select(AnnualBaseline.track_id, AnnualBaseline.value, AnnualBaseline.note).where(AnnualBaseline.year == year)
    return {track_id: (value, note) for track_id, value, note in db.session.execute(stmt)}


def build_county_figures(county_ids, year: int, *, today: date, zone: ZoneInfo,
                         tracks) -> dict[int, dict[str, TrackFigures]]:
    """Each county's figures of the year against its own targets, each computed in that county's scope (the roll-up
    and the city's targets page add or show them side by side)."""
    from pipeline.tenancy.scope import county_scope, use_scope

    figures = {}
    for county_id in county_ids:
        with use_scope(county_scope(county_id), db.session):
            figures[county_id] = build_track_figures(year, today=today, zone=zone, tracks=tracks)
    return figures
