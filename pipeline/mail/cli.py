"""`flask mail send`: flush the outbox now."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from pipeline.db import utcnow

mail_cli = AppGroup("mail", help="邮件发件箱 / email outbox")


@mail_cli.command("send")
@click.option("--force", is_flag=True, help="也立即发送正在等待重试的邮件")
def send_command(force):
    """Send every queued message that is due, email then SMS and robots (with --force, also those waiting for a retry)."""
    from pipeline.channels.sender import send_queued_channel_messages
    from pipeline.mail.sender import send_queued_emails

    report = send_queued_emails(utcnow(), force=force)
    click.echo(str(report))
    click.echo(str(send_queued_channel_messages(utcnow(), force=force)))  # SMS and the group robots (issue 22)
