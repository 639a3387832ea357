"""How the statistics are shown: number formats and the charts of a track (the dashboard and the PDF share them)."""

from __future__ import annotations

from fractions import Fraction

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from pipeline.dashboard import charts
from pipeline.dashboard.stats import TrackStats
from pipeline.domain.stages import Stage, stage_label
from pipeline.i18n import track_short_name


def pct(value: Fraction | float | None, digits: int = 1) -> str:
    """0.4 → '40.0%'; None (nothing to divide by) → '—'."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def month_label(first, *, with_year: bool = False) -> str:
    """A month on the trend's axis: 11月 / Nov, with the year at January and at the first month."""
    return format_date(first, "yyyy.M" if with_year else "MMM")


def trend_labels(track: TrackStats) -> list[str]:
    return [month_label(row.first, with_year=index == 0 or row.first.month == 1) for index, row in enumerate(track.trend)]


def trend_chart(track: TrackStats) -> Markup:
    """The last 12 months of a track: entries into 入库, into 认定 (or its track's name), and exits."""
    trend, final = track.trend, _(stage_label(Stage.CERTIFIED, track.code))
    series = ((_("入库"), [row.entered_pool for row in trend]), (final, [row.certified for row in trend]),
              (_("退出"), [row.exited for row in trend]))
    return charts.trend_chart(_("%(track)s近 12 个月走势", track=track_short_name(track)), trend_labels(track), series)


def track_charts(track: TrackStats) -> dict[str, Markup]:
    """The SVG charts of one track, each shown next to the table of its numbers."""
    ladder = [(_(row.label), row.end) for row in track.ladder]
    flows = [(_(row.label), row.entered, row.left) for row in track.ladder]
    towns = [(row.name, row.certified_year) for row in track.towns]
    industries = [(_(row.name), row.in_pipeline) for row in track.industries]
    target, short = track.target, track_short_name(track)
    return {
        "funnel": charts.funnel_chart(_("%(track)s各阶段企业数", track=short), ladder),
        "flows": charts.flow_chart(_("%(track)s本期进入与离开", track=short), flows),
        "target": charts.progress_chart(_("%(track)s年度目标进度", track=short), actual=target.actual,
                                        target=target.target, progress=target.progress, projection=target.projection),
        "towns": charts.bar_chart(_("%(track)s各乡镇本年新增认定", track=short), towns),
        "industries": charts.bar_chart(_("%(track)s各行业在库培育企业", track=short), industries,
                                       color=charts.PALETTE[3]),
        "trend": trend_chart(track) if track.trend else Markup(""),
    }
