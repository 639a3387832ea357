"""The sender job of the scheduler."""

from __future__ import annotations

from datetime import datetime

from pipeline.mail.sender import send_queued_emails


def send_mail_job(now: datetime) -> str | None:
    """Deliver what is due in the outbox (each message is committed as it goes)."""
    report = send_queued_emails(now)
    return str(report) if report.sent or report.retrying or report.failed else None
