"""The scheduler's sender job for SMS and the group robots."""

from __future__ import annotations

from datetime import datetime

from pipeline.channels.sender import send_queued_channel_messages


def send_channels_job(now: datetime) -> str | None:
    """Deliver what is due on the channels next to email (each message is committed as it goes)."""
    report = send_queued_channel_messages(now)
    return str(report) if report.sent or report.retrying or report.failed else None
