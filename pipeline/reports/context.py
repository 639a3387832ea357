"""Everything the monthly PDF shows, as frozen dataclasses of primitives built from the dashboard's statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from pipeline.dashboard import queries as q
from pipeline.dashboard.presentation import pct, track_charts
from pipeline.dashboard.queries import PIPELINE_STAGES
from pipeline.dashboard.sql import EXIT_STAGES
from pipeline.dashboard.stats import FunnelStats, TrackStats, build_funnel_stats, exit_label
from pipeline.domain.periods import Period, previous_period
from pipeline.domain.stages import Stage, stage_label


@dataclass(frozen=True)
class Headline:
    """One track's headline numbers this month and last month."""

    code: str
    name: str
    entered_pool: tuple[int, int]  # (this month, last month)
    certified: tuple[int, int]
    exited: tuple[int, int]
    in_pipeline: tuple[int, int]  # in 入库 or 培育 at the month's end, and at the previous month's end
    year_actual: int
    target: int | None
    share_reached: Fraction | None
    progress: Fraction
    projection: int | None
    on_track: bool | None
    year_repeat: int = 0  # 重新认定 this year: not counted against the target
    net_increase: int = 0  # valid at the month's end − valid on 1 January
    valid_now: int = 0  # in 认定 with the certificate not expired, when the report is made


@dataclass(frozen=True)
class MovementRow:
    name: str
    credit_code: str
    town: str
    track: str
    day: date | None
    what: str  # 入库 / 认定 (certificate number) / the reason for leaving


@dataclass(frozen=True)
class FirmList:
    key: str
    title: str
    total: int
    rows: tuple[MovementRow, ...]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


@dataclass(frozen=True)
class ReportContext:
    authority: str
    month_key: str
    month_label: str
    previous_label: str
    generated_at: datetime
    generated_at_text: str
    stats: FunnelStats
    headlines: tuple[Headline, ...]
    highlights: tuple[str, ...]
    movements: tuple[FirmList, ...]  # the month's 入库, 认定 and 退出
    risks: tuple[FirmList, ...]
    charts: dict[str, dict[str, Markup]]
    annex_limit: int
    incentives: object = None  # incentives paid from 1 January to the month's end (pipeline.policies.queries.PaidTable)


def build_report_context(month: Period, *, now: datetime, zone: ZoneInfo, authority: str,
                         annex_limit: int = 300) -> ReportContext:
    """Compute the report of a calendar month with the dashboard's own statistics (same numbers, same period)."""
    with force_locale("zh"):
        stats = build_funnel_stats(month, now=now, zone=zone, list_limit=annex_limit)
        previous = build_funnel_stats(previous_period(month), now=now, zone=zone, detail=False)
        headlines = tuple(_headline(track, previous.track(track.code)) for track in stats.tracks)
        movements = _movements(stats, zone, annex_limit)
        risks = tuple(FirmList(risk.key, _(risk.label), risk.total, tuple(_risk_row(row, risk.key) for row in risk.rows))
                      for risk in stats.risks)
        return ReportContext(
            authority=authority, month_key=month.key, month_label=month.label,
            previous_label=previous_period(month).label, generated_at=now,
            generated_at_text=now.astimezone(zone).strftime("%Y-%m-%d %H:%M"), stats=stats, headlines=headlines,
            highlights=tuple(_highlights(headlines, stats)), movements=movements, risks=risks,
            charts={track.code: track_charts(track) for track in stats.tracks}, annex_limit=annex_limit,
            incentives=_incentives(month))


def _incentives(month: Period):
    """The 奖补兑现 chapter: the ledger's payments of the report's year up to the month's end (issue 25)."""
    # Imported here: the ledger builds on the funnel and the reports, not the reverse.
    from pipeline.policies.queries import paid_by_track_and_town

    return paid_by_track_and_town(month.last.year, until=month.last)


def _in_pipeline(track: TrackStats) -> int:
    return sum(track.stage(stage).end for stage in PIPELINE_STAGES)


def _headline(track: TrackStats, before: TrackStats) -> Headline:
    target, figures = track.target, track.target.figures
    return Headline(track.code, track.name, (track.entered_pool, before.entered_pool), (track.certified, before.certified),
                    (track.exited, before.exited), (_in_pipeline(track), _in_pipeline(before)), target.actual,
                    target.target, target.share_reached, target.progress, target.projection, target.on_track,
                    figures.repeat, figures.net_increase, figures.valid_now)


def _movements(stats: FunnelStats, zone: ZoneInfo, limit: int) -> tuple[FirmList, ...]:
    kinds = (("pool", _("本月新入库企业"), (Stage.POOL,), "pool_number"),
             ("certified", _("本月新认定企业"), (Stage.CERTIFIED,), "certificate"),
             ("exits", _("本月退出企业及原因"), EXIT_STAGES, "reason"))
    lists = []
    for key, title, stages, detail in kinds:
        total, rows = q.list_moves_into(stages, stats.start, stats.end, limit=limit, zone=zone, detail=detail)
        lists.append(FirmList(key, title, total, tuple(_movement_row(row, key) for row in rows)))
    return tuple(lists)


def _movement_row(row: q.FirmRow, key: str) -> MovementRow:
    what = row.detail
    if key == "exits":
        stage, reason = _(stage_label(Stage(row.stage), row.track_code)), exit_label(row.stage, row.detail or None)
        what = stage if reason == "—" else f"{stage}：{_(reason)}"
    return MovementRow(row.name, row.credit_code, row.town, row.track_short, row.day, what)


def _risk_row(row: q.FirmRow, key: str) -> MovementRow:
    what = row.detail if key in ("expiring", "annual_report") else _(stage_label(Stage(row.stage), row.track_code))
    return MovementRow(row.name, row.credit_code, row.town, row.track_short, row.day, what)


def _change(now: int, before: int) -> str:
    if now == before:
        return _("与上月持平")
    return _("比上月增加 %(n)s 家", n=now - before) if now > before else _("比上月减少 %(n)s 家", n=before - now)


def _highlights(headlines: tuple[Headline, ...], stats: FunnelStats) -> list[str]:
    lines = []
    for h in headlines:
        line = _("%(track)s：本月新入库 %(pool)s 家（%(pool_change)s），新认定 %(cert)s 家，退出 %(exits)s 家；"
                 "月末在库培育 %(pipe)s 家。", track=h.name, pool=h.entered_pool[0],
                 pool_change=_change(*h.entered_pool), cert=h.certified[0], exits=h.exited[0], pipe=h.in_pipeline[0])
        if h.target:
            verdict = _("按当前进度可完成目标") if h.on_track else _("按当前进度难以完成目标，需加快推进")
            line += _("本年累计新增认定 %(actual)s 家，完成年度目标 %(target)s 家的 %(share)s，时间进度 %(progress)s，"
                      "预计年末 %(projection)s 家，%(verdict)s。", actual=h.year_actual, target=h.target,
                      share=pct(h.share_reached), progress=pct(h.progress), projection=h.projection, verdict=verdict)
        else:
            line += _("本年累计新增认定 %(actual)s 家（未设年度目标）。", actual=h.year_actual)
        line += _("本年重新认定 %(repeat)s 家（不计入新增）；当前有效 %(valid)s 家，较年初净增 %(net)s 家。",
                  repeat=h.year_repeat, valid=h.valid_now, net=f"{h.net_increase:+d}")
        lines.append(line)
    expiring, stale = stats.risk("expiring").total, stats.risk("stale").total
    line = _("风险提示：6 个月内到期的高企证书 %(expiring)s 家，长期未跟进的培育记录 %(stale)s 家",
             expiring=expiring, stale=stale)
    if stats.today >= date(stats.today.year, 5, 1):
        line += _("，5月1日后仍未填报年报的高企 %(n)s 家", n=stats.risk("annual_report").total)
    lines.append(line + "。")
    return lines
