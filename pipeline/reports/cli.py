"""`flask report monthly --month YYYY-MM [--authority ID_OR_CODE] [--out FILE.pdf] [--send]`."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click
from flask.cli import AppGroup

from pipeline.db import utcnow
from pipeline.domain.periods import PeriodError, parse_month
from pipeline.extensions import db

report_cli = AppGroup("report", help="月度报告 / monthly report")


@report_cli.command("monthly")
@click.option("--month", required=True, help="自然月，格式 YYYY-MM")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="另存 PDF 到此文件")
@click.option("--send", is_flag=True, help="生成后发送给局领导（PIPELINE_LEADER_EMAILS）")
@click.option("--authority", "authority_key", default=None,
              help="单位 ID 或行政区划代码：市则生成全市汇总月报（发送给市局领导），区县则生成该区县的月报")
def monthly_command(month, out, send, authority_key):
    """Render (and archive) a month's report; re-running replaces the archived copy, and sends only with --send."""
    from pipeline.reports.services import ReportError

    try:
        period = parse_month(month)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    authority = _authority(authority_key)
    try:
        if authority is not None and authority.level == "city":
            _city_report(authority, period, out, send)
        else:
            _county_report(authority, period, out, send)
    except (ReportError, OSError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None


def _authority(key):
    """The --authority given: a city (its edition) or a county (its own report); None when not given."""
    from pipeline.tenancy.services import find_authority

    if key is None:
        return None
    authority = find_authority(key)
    if authority is None:
        raise click.BadParameter(f"找不到单位 {key}（请填写单位 ID 或 6 位行政区划代码）。", param_hint="--authority")
    if authority.level not in ("city", "county"):
        raise click.BadParameter(f"{authority.name}不是市或区县：全市汇总月报按市生成。", param_hint="--authority")
    return authority


def _county_report(county, period, out, send):
    from pipeline.reports.services import generate_monthly_report, send_monthly_report
    from pipeline.tenancy.scope import county_scope, use_scope

    with use_scope(county_scope(county.id), db.session) if county is not None else nullcontext():
        report = generate_monthly_report(period, now=utcnow())
        db.session.commit()
        _saved(f"{period.label} 月报", report, out)
        if send:
            count = send_monthly_report(report, now=utcnow())
            db.session.commit()
            click.echo(f"已加入发件箱：密送 {count} 位局领导。")


def _city_report(city, period, out, send):
    from pipeline.reports.city import generate_city_report, send_city_report

    report = generate_city_report(city, period, now=utcnow())
    db.session.commit()
    _saved(f"{city.name} {period.label} 全市汇总月报", report, out)
    if send:
        count = send_city_report(report, city, now=utcnow())
        db.session.commit()
        click.echo(f"已加入发件箱：密送 {count} 位市局领导。")


def _saved(what, report, out):
    if out is not None:
        out.write_bytes(report.pdf)
    click.echo(f"已生成 {what}（{report.size:,} 字节，SHA-256 {report.sha256[:12]}…）" + (f"，已另存为 {out}" if out else ""))
