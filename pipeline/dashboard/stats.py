"""The funnel statistics of a period as frozen dataclasses of primitives: the dashboard and the PDF read the same."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from pipeline.dashboard import queries as q
from pipeline.dashboard.figures import TrackFigures, build_track_figures
from pipeline.dashboard.trend import TrendMonth, count_monthly_trend, empty_trend
from pipeline.domain.periods import Period, add_months, local_midnight, project_year_end, share, year_progress
from pipeline.domain.stages import EXIT_REASON_LABELS, LADDER, STAGE_LABELS, ExitReason, Stage, stage_label
from pipeline.domain.text import N_
from pipeline.firms.models import Industry, Town
from pipeline.funnel.queries import list_tracks

# Every stage, the ladder first: the order of the stage tables.
STAGE_ORDER = tuple(LADDER) + tuple(stage for stage in Stage if stage not in LADDER)
EXPIRY_MONTHS = 6


@dataclass(frozen=True)
class StageRow:
    stage: str
    label: str
    start: int  # records in the stage at the period start
    entered: int  # distinct records that moved into it during the period
    left: int  # distinct records that moved out of it during the period
    end: int  # records in the stage at the period end (or now, for a running period)
    now: int
    paused: int  # of `now`, paused today
    stale: int  # of `now`, without activity for longer than the stage allows

    @property
    def change(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class ConversionRow:
    """A cohort: the records that entered a stage in the period, and how many of them went higher by its end. The
    rate is a share of the cohort, so it never exceeds 100 % (entries into a stage divided by entries into the stage
    before it did: those are different firms, most of which entered the earlier stage in an earlier period)."""

    stage: str
    label: str
    entered: int  # entered this stage in the period
    reached: int | None  # of those, reached a higher stage by the period end (None for the last stage)

    @property
    def rate(self) -> Fraction | None:
        return None if self.reached is None else share(self.reached, self.entered)


@dataclass(frozen=True)
class DurationRow:
    stage: str
    label: str
    stays: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class ExitRow:
    stage: str
    reason: str  # '' when none was given
    label: str
    count: int

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[Stage(self.stage)]


@dataclass(frozen=True)
class TargetProgress:
    year: int
    through: date  # last local day counted
    actual: int  # records certified for the first time (新增) from 1 January to `through`
    target: int | None
    progress: Fraction  # share of the year gone
    figures: TrackFigures | None = None  # 重新认定, 净增, valid now and the baseline of the same year

    @property
    def share_reached(self) -> Fraction | None:
        return share(self.actual, self.target)

    @property
    def projection(self) -> int | None:
        return project_year_end(self.actual, self.progress)

    @property
    def on_track(self) -> bool | None:
        if self.target is None or self.projection is None:
            return None
        return self.projection >= self.target


@dataclass(frozen=True)
class BreakdownRow:
    rank: int
    key: int | None  # town or industry id
    name: str
    in_pipeline: int  # now in 入库 or 培育
    certified_now: int
    entered_pool: int  # in the period
    certified_period: int
    certified_year: int
    target: int | None

    @property
    def share_reached(self) -> Fraction | None:
        return share(self.certified_year, self.target)


@dataclass(frozen=True)
class TrackStats:
    track_id: int
    code: str
    name: str
    short_name: str
    stages: tuple[StageRow, ...]
    conversions: tuple[ConversionRow, ...]
    durations: tuple[DurationRow, ...]
    exits: tuple[ExitRow, ...]
    target: TargetProgress
    towns: tuple[BreakdownRow, ...]
    industries: tuple[BreakdownRow, ...]
    name_en: str = ""  # for the track_name filter
    trend: tuple[TrendMonth, ...] = ()  # the 12 months up to the period's last month (detail only)

    def stage(self, stage: str) -> StageRow:
        return next(row for row in self.stages if row.stage == stage)

    @property
    def entered_pool(self) -> int:
        return self.stage(Stage.POOL).entered

    @property
    def certified(self) -> int:
        return self.stage(Stage.CERTIFIED).entered

    @property
    def exited(self) -> int:
        return sum(row.count for row in self.exits)

    @property
    def ladder(self) -> tuple[StageRow, ...]:
        return tuple(row for row in self.stages if row.stage in LADDER)


@dataclass(frozen=True)
class RiskList:
    key: str  # expiring | stale | annual_report
    label: str
    total: int
    rows: tuple[q.FirmRow, ...]


@dataclass(frozen=True)
class FunnelStats:
    period_key: str
    period_label: str
    period_first: date
    period_last: date
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive: the period end, or now for a running period
    now: datetime
    through: date  # last local day counted
    today: date
    running: bool  # the period has not ended yet
    expiry_until: date
    tracks: tuple[TrackStats, ...]
    risks: tuple[RiskList, ...]

    def track(self, code: str) -> TrackStats:
        return next(track for track in self.tracks if track.code == code)

    @property
    def day_before(self) -> date:
        """The last day before the period: the stock at the period start is the stock at its end."""
        return self.period_first - timedelta(days=1)

    def risk(self, key: str) -> RiskList:
        return next(risk for risk in self.risks if risk.key == key)


def period_window(period: Period, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC: end is the period end, or now while the period runs (never before start)."""
    start, period_end = period.bounds(zone)
    return start, max(start, min(period_end, now))


def build_funnel_stats(period: Period, *, now: datetime, zone: ZoneInfo, list_limit: int = 20,
                       town_ids: Collection[int] | None = None, detail: bool = True) -> FunnelStats:
    """Compute every number of the dashboard for a period with a fixed number of SQL queries.

    detail=False computes only the stage table and the exits (what a comparison with another period needs).
    """
    start, end = period_window(period, now, zone)
    through = (end.astimezone(zone) - timedelta(microseconds=1)).date()
    today = now.astimezone(zone).date()
    year_start = local_midnight(date(through.year, 1, 1), zone)
    q.tune_session_for_statistics()
    stale_days, tracks = q.load_stale_days(), list_tracks()
    entries, departures, exits = q.count_period_moves(start, end)
    data = _Raw(current=q.count_current_stages(now, today, stale_days), entries=entries, departures=departures,
                exits=exits, progress=year_progress(through), through=through)
    if detail:
        data.conversions, data.durations = q.count_conversions(start, end), q.stage_durations(start, end)
        data.targets = q.load_targets(through.year)
        data.town_now, data.industry_now = q.count_current_by_place(today)
        county = {track_id: target for (track_id, town_id), target in data.targets.items() if town_id is None}
        data.figures = build_track_figures(through.year, today=today, zone=zone, through=through, tracks=tracks,
                                           county_targets=county)
        data.town_flows, data.industry_flows = q.count_flows_by_place(start, end, year_start,
                                                                             date(through.year, 1, 1))
        data.towns, data.industries = q.load_names(Town), q.load_names(Industry) + [(None, N_("未分类"))]
        data.trend = count_monthly_trend(through, end, zone)
    tracks = tuple(_track_stats(track, data) for track in tracks)
    expiry_until = add_months(today, EXPIRY_MONTHS)
    risks = _risks(now, today, expiry_until, stale_days, list_limit, town_ids, zone) if detail else ()
    return FunnelStats(period.key, period.label, period.first, period.last, start, end, now, through, today,
                       end < period.bounds(zone)[1], expiry_until, tracks, risks)


@dataclass
class _Raw:
    """The query results one period's statistics are assembled from (empty where not computed)."""

    current: dict
    entries: dict
    departures: dict
    exits: dict
    progress: Fraction
    through: date
    conversions: dict = field(default_factory=dict)
    durations: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    town_now: dict = field(default_factory=dict)
    town_flows: dict = field(default_factory=dict)
    industry_now: dict = field(default_factory=dict)
    industry_flows: dict = field(default_factory=dict)
    towns: list = field(default_factory=list)
    industries: list = field(default_factory=list)
    trend: dict | None = None  # track_id → TrendMonth rows; None: not computed


def _track_stats(track, data: _Raw) -> TrackStats:
    stages = tuple(_stage_row(track.id, stage, data, track.code) for stage in STAGE_ORDER)
    towns = _breakdown(track.id, data.towns, data.town_now, data.town_flows, data.targets)
    actual = sum(row.certified_year for row in towns)
    target = TargetProgress(data.through.year, data.through, actual, data.targets.get((track.id, None)), data.progress,
                            data.figures.get(track.code))
    industries = _breakdown(track.id, data.industries, data.industry_now, data.industry_flows, None)
    industries = tuple(row for row in industries if row.key is not None or row.in_pipeline or row.certified_year)
    return TrackStats(track.id, track.code, track.name, track.short_name, stages,
                      _conversions(track.id, stages, data, track.code), _durations(track.id, data, track.code), _exits(track.id, data),
                      target, towns, industries, name_en=track.name_en,
                      trend=() if data.trend is None else data.trend.get(track.id) or empty_trend(data.through))


def _stage_row(track_id: int, stage: Stage, data: _Raw, track_code: str) -> StageRow:
    empty = q.MoveCounts(0, 0, 0)
    now, paused, stale = data.current.get((track_id, stage), (0, 0, 0))
    moved_in = data.entries.get((track_id, stage), empty)
    moved_out = data.departures.get((track_id, stage), empty)
    end = now - moved_in.moves_after + moved_out.moves_after
    start = end - moved_in.moves_in_period + moved_out.moves_in_period
    return StageRow(stage.value, stage_label(stage, track_code), start, moved_in.firms_in_period, moved_out.firms_in_period, end,
                    now, paused, stale)


def _conversions(track_id: int, stages: tuple[StageRow, ...], data: _Raw, track_code: str) -> tuple[ConversionRow, ...]:
    entered = {row.stage: row.entered for row in stages}
    rows = []
    for stage in LADDER:
        reached = None if stage is LADDER[-1] else data.conversions.get((track_id, stage), (0, 0))[1]
        rows.append(ConversionRow(stage.value, stage_label(stage, track_code), entered[stage.value], reached))
    return tuple(rows)


def _durations(track_id: int, data: _Raw, track_code: str) -> tuple[DurationRow, ...]:
    rows = []
    for stage in LADDER:
        stays, median, p90 = data.durations.get((track_id, stage), (0, None, None))
        rows.append(DurationRow(stage.value, stage_label(stage, track_code), stays, median, p90))
    return tuple(rows)


def exit_label(stage: str, reason: str | None) -> str:
    """The reason for leaving: its label, the raw code if unknown; 未注明原因 for 出库 without one, else "—"."""
    if reason in ExitReason._value2member_map_:
        return EXIT_REASON_LABELS[ExitReason(reason)]
    if reason:
        return reason
    return N_("未注明原因") if stage == Stage.REMOVED else "—"


def _exits(track_id: int, data: _Raw) -> tuple[ExitRow, ...]:
    rows = [ExitRow(stage.value, reason or "", exit_label(stage, reason), count)
            for (track, stage, reason), count in data.exits.items() if track == track_id]
    order = {stage.value: index for index, stage in enumerate(STAGE_ORDER)}
    return tuple(sorted(rows, key=lambda row: (order[row.stage], -row.count, row.reason)))


def _breakdown(track_id, names, now_counts, flows, targets) -> tuple[BreakdownRow, ...]:
    rows = []
    for key, name in names:
        entered, certified_period, certified_year = flows.get((track_id, key), (0, 0, 0))
        in_pipeline, certified_now = now_counts.get((track_id, key), (0, 0))
        target = targets.get((track_id, key)) if targets is not None and key is not None else None
        rows.append((key, name, in_pipeline, certified_now, entered, certified_period, certified_year, target))
    rows.sort(key=lambda r: (-r[6], -r[5], -r[4], -r[2]))  # stable: ties keep the towns' own order
    return tuple(BreakdownRow(rank, *row) for rank, row in enumerate(rows, start=1))


def _risks(now, today, expiry_until, stale_days, limit, town_ids, zone) -> tuple[RiskList, ...]:
    expiring = q.list_expiring_certificates(today, expiry_until, limit=limit, zone=zone, town_ids=town_ids)
    stale = q.list_stale_records(now, today, stale_days, limit=limit, zone=zone, town_ids=town_ids)
    missing = q.list_missing_annual_reports(today, limit=limit, zone=zone, town_ids=town_ids)
    return (
        RiskList("expiring", N_("高企证书 6 个月内到期"), expiring[0], tuple(expiring[1])),
        RiskList("stale", N_("长期未跟进"), stale[0], tuple(stale[1])),
        RiskList("annual_report", N_("5月1日后仍未填报高企年报"), missing[0], tuple(missing[1])),
    )
