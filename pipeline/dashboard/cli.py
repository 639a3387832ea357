"""`flask targets status --year YYYY [--json] [--today YYYY-MM-DD]`: the bureau's figures per track."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from pipeline.domain.periods import MAX_YEAR, MIN_YEAR
from pipeline.funnel.cli import date_argument

targets_cli = AppGroup("targets", help="年度目标与统计口径 / annual targets and the bureau's figures")


@targets_cli.command("status")
@click.option("--year", required=True, type=click.IntRange(MIN_YEAR, MAX_YEAR), help="年度，如 2026")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出：每个培育类别代码一项")
@click.option("--today", callback=date_argument, help="按该日计算（YYYY-MM-DD，默认今天）")
def status_command(year, as_json, today):
    """Print per track: target, 新增 (first_time), 重新认定 (repeat), 净增, valid now and the baseline."""
    from pipeline.dashboard.figures import build_track_figures
    from pipeline.i18n import local_today, local_zone

    figures = build_track_figures(year, today=today or local_today(), zone=local_zone())
    if as_json:
        click.echo(json.dumps({code: item.as_json() for code, item in figures.items()}, ensure_ascii=False, indent=2))
        return
    first = next(iter(figures.values()), None)
    click.echo(f"{year} 年度" + (f"（统计至 {first.through}）" if first else ""))
    click.echo(f"{'培育类别':<14}{'目标':>6}{'新增':>6}{'重新认定':>8}{'净增':>6}{'当前有效':>8}{'基数':>6}")
    for item in figures.values():
        cells = [item.target, item.first_time, item.repeat, f"{item.net_increase:+d}", item.valid_now, item.baseline]
        target, first, repeat, net, valid, base = ("—" if cell is None else str(cell) for cell in cells)
        click.echo(f"{item.name:<14}{target:>6}{first:>6}{repeat:>8}{net:>6}{valid:>8}{base:>6}")
