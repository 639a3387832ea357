"""`flask certificates reissue --year YYYY`: the batch re-issue in the foreground, writing a ZIP."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask.cli import AppGroup

from pipeline.certificates.batches import batch_dir, create_batch, run_batch
from pipeline.certificates.models import BatchStatus
from pipeline.certificates.services import CertificateError
from pipeline.db import utcnow
from pipeline.extensions import db

certificates_cli = AppGroup("certificates", help="证书 / certificates")


@certificates_cli.command("reissue")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="证书年度")
@click.option("--reason", default="年度批量换发", show_default=True, help="换发原因")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="ZIP 输出路径")
def reissue_command(year, reason, output):
    """Re-issue every valid 入库证书 of a year (same numbers) and write the new PDFs into a ZIP."""
    try:
        batch = create_batch(year, actor=None, now=utcnow(), reason=reason)
    except CertificateError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"批量换发 #{batch.id}：{batch.total} 份证书")

    def progress(current):
        if current.done % 50 == 0 or current.done == current.total:
            click.echo(f"  {current.done}/{current.total}")

    batch = run_batch(batch.id, out_dir=batch_dir(), progress=progress)
    if batch.status is not BatchStatus.DONE:
        raise click.ClickException(f"批量换发失败：{batch.error}")
    path = Path(batch.zip_path)
    if output:
        shutil.copyfile(path, output)
        path = output
    click.echo(f"已完成，ZIP：{path}")
