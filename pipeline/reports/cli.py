"""`flask report monthly --month YYYY-MM [--out FILE.pdf] [--send]`."""

from __future__ import annotations

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
def monthly_command(month, out, send):
    """Render (and archive) a month's report; re-running replaces the archived copy, and sends only with --send."""
    from pipeline.reports.services import ReportError, generate_monthly_report, send_monthly_report

    try:
        period = parse_month(month)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    try:
        report = generate_monthly_report(period, now=utcnow())
        db.session.commit()
        if out is not None:
            out.write_bytes(report.pdf)
        click.echo(f"已生成 {period.label} 月报（{report.size:,} 字节，SHA-256 {report.sha256[:12]}…）" +
                   (f"，已另存为 {out}" if out else ""))
        if send:
            count = send_monthly_report(report, now=utcnow())
            db.session.commit()
            click.echo(f"已加入发件箱：密送 {count} 位局领导。")
    except (ReportError, OSError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
