"""Deliver the channels' outbox: claim due rows (as the email sender does), send each through its gateway, and
record each outcome in its own commit. One channel's outage or rate limit never holds up another channel."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from pipeline.channels.gateways import Outage
from pipeline.channels.models import ChannelMessage
from pipeline.channels.queries import enabled_channels
from pipeline.channels.settings import ChannelSettings
from pipeline.domain.channels import Channel, next_allowed
from pipeline.extensions import db
from pipeline.i18n import to_local
from pipeline.mail.models import MessageStatus
from pipeline.mail.sender import attempt_outcome, claim_due_messages, fail_abandoned_claims, record_outcome
from pipeline.mail.transport import DeliveryError, Refused

log = logging.getLogger(__name__)
BATCH_SIZE = 50


@dataclass
class ChannelReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    down: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"其他渠道：已发送 {self.sent} 条，稍后重试 {self.retrying} 条，失败 {self.failed} 条"


def send_queued_channel_messages(now: datetime, *, settings: ChannelSettings | None = None,
                                 force: bool = False) -> ChannelReport:
    """Send every SMS and robot message due at `now` (with force, also those waiting for a retry)."""
    settings = settings or ChannelSettings.from_config(current_app.config)
    report = ChannelReport()
    report.failed += fail_abandoned_claims(now, ChannelMessage)
    if force:
        db.session.execute(update(ChannelMessage).where(ChannelMessage.status == MessageStatus.QUEUED)
                           .values(next_attempt_at=now).execution_options(synchronize_session=False))
        db.session.commit()
    gateways, enabled, down = settings.gateways(), enabled_channels(settings), {}
    while ids := claim_due_messages(now, BATCH_SIZE, ChannelMessage):
        messages = db.session.scalars(select(ChannelMessage).where(ChannelMessage.id.in_(ids))
                                      .order_by(ChannelMessage.id)).all()
        for message in messages:
            _deliver(message, now, settings, gateways, enabled, down, report)
    report.down = sorted(down)
    return report


def _deliver(message: ChannelMessage, now: datetime, settings: ChannelSettings, gateways: dict, enabled: set,
             down: dict, report: ChannelReport) -> None:
    channel = Channel(message.channel)
    if channel not in enabled:
        return _record(message, now, settings, report, Refused("该渠道已被管理员关闭或缺少配置，未发送"))
    if channel in down:  # found unreachable in this run: wait with the rest instead of waiting for each timeout
        return _record(message, now, settings, report, down[channel])
    if channel is Channel.SMS and (wait := _sms_wait(message, now, settings)) is not None:
        if wait - message.queued_at >= timedelta(hours=settings.give_up_hours):  # stale by the time it could go
            return _record(message, now, settings, report, Refused("同一号码的短信条数超过频率上限过久，已放弃"))
        return _defer(message, wait)
    try:
        request_id = gateways[channel].send(message, now)
    except Outage as exc:
        log.warning("%s: %s", channel, exc)
        down[channel] = exc
        _record(message, now, settings, report, exc)
    except DeliveryError as exc:
        _record(message, now, settings, report, exc)
    else:
        _record(message, now, settings, report, None, request_id)


def _sms_wait(message: ChannelMessage, now: datetime, settings: ChannelSettings) -> datetime | None:
    """When the number may get its next SMS under the per-minute/hour/day limits (None: now)."""
    sent = db.session.scalars(select(ChannelMessage.sent_at).where(
        ChannelMessage.channel == Channel.SMS.value, ChannelMessage.recipient == message.recipient,
        ChannelMessage.status == MessageStatus.SENT, ChannelMessage.sent_at > now - timedelta(days=1)))
    return next_allowed(list(sent), now, settings.sms_limits)


def _defer(message: ChannelMessage, wait: datetime) -> None:
    """Put a message back until the number's limit allows it; the wait is not an attempt."""
    db.session.execute(
        update(ChannelMessage).where(ChannelMessage.id == message.id, ChannelMessage.claim_token == message.claim_token)
        .values(status=MessageStatus.QUEUED, claim_token=None, next_attempt_at=wait, attempts=message.attempts - 1,
                last_error=f"同一号码已达到短信频率上限，{to_local(wait):%m-%d %H:%M} 后发送")
        .execution_options(synchronize_session=False))
    db.session.commit()


def _record(message: ChannelMessage, now: datetime, settings: ChannelSettings, report: ChannelReport,
            error: DeliveryError | None, request_id: str = "") -> None:
    """Write the outcome of one attempt, as the email sender does, keeping the provider's request id."""
    count, values = attempt_outcome(message, now, error, settings.give_up_hours, settings.retry_seconds)
    if error is None:
        values.update(last_error="", provider_request_id=request_id[:100])
    setattr(report, count, getattr(report, count) + 1)
    record_outcome(ChannelMessage, message, values)
