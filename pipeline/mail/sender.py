"""Deliver the outbox: claim due rows, hand them to the transport, record each outcome at once.

A row is claimed (status 'sending' with a token) and committed before anything is sent, so two senders never send
the same message; once the server has accepted a message it is marked 'sent' in its own commit."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from pipeline.extensions import db
from pipeline.mail.models import MessageStatus, OutboxMessage
from pipeline.mail.transport import (
    ConnectionLost,
    DeliveryError,
    MailSettings,
    OutcomeUnknown,
    Refused,
    TryLater,
    make_transport,
)

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=1)
# A claim older than this belongs to a sender that died mid-batch (a batch takes minutes at most).
ABANDONED_CLAIM = timedelta(hours=1)
ABANDONED_MESSAGE = "发送进程中断，无法确认消息是否已送达；为避免重复发送，系统不再自动重试。如需要请手动重试。"


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"已发送 {self.sent} 封，稍后重试 {self.retrying} 封，失败 {self.failed} 封"


def retry_delay(attempts: int, first: float) -> timedelta:
    """Exponential backoff: first, 2×first, 4×first … at most an hour."""
    return min(timedelta(seconds=first * 2 ** max(attempts - 1, 0)), MAX_RETRY_DELAY)


def send_queued_emails(now: datetime, *, settings: MailSettings | None = None, force: bool = False) -> SendReport:
    """Send every message due at `now` (with force, also those waiting for a retry); commit per message."""
    settings = settings or MailSettings.from_config(current_app.config)
    report = SendReport()
    report.failed += fail_abandoned_claims(now)
    if force:  # "send now": messages waiting for a retry are due at once (each is tried once in this call)
        db.session.execute(update(OutboxMessage).where(OutboxMessage.status == MessageStatus.QUEUED)
                           .values(next_attempt_at=now).execution_options(synchronize_session=False))
        db.session.commit()
    while ids := claim_due_messages(now, settings.batch_size):
        _deliver_batch(ids, now, settings, report)
    return report


def claim_due_messages(now: datetime, limit: int, model=OutboxMessage) -> list[int]:
    """Mark up to `limit` due messages as ours and commit; a concurrent sender gets other rows or none.

    `model` is the outbox table: emails, or the other channels' messages (pipeline/channels/)."""
    token = secrets.token_hex(16)
    due = (select(model.id)
           .where(model.status == MessageStatus.QUEUED, model.next_attempt_at <= now)
           .order_by(model.next_attempt_at, model.id).limit(limit))
    claim = update(model).values(
        status=MessageStatus.SENDING, claim_token=token, claimed_at=now, last_attempt_at=now,
        attempts=model.attempts + 1).execution_options(synchronize_session=False)
    if db.session.get_bind().dialect.name == "postgresql":
        ids = list(db.session.scalars(due.with_for_update(skip_locked=True)))
        if ids:
            db.session.execute(claim.where(model.id.in_(ids)))
    else:  # SQLite has one writer at a time: the status condition makes the UPDATE the claim
        db.session.execute(claim.where(model.id.in_(due.scalar_subquery()),
                                       model.status == MessageStatus.QUEUED))
        ids = list(db.session.scalars(select(model.id).where(model.claim_token == token)))
    db.session.commit()
    return ids


def fail_abandoned_claims(now: datetime, model=OutboxMessage) -> int:
    """Give up messages whose sender died while sending: they may have left, so they are not sent again."""
    result = db.session.execute(
        update(model)
        .where(model.status == MessageStatus.SENDING, model.claimed_at < now - ABANDONED_CLAIM)
        .values(status=MessageStatus.FAILED, claim_token=None, last_error=ABANDONED_MESSAGE)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def _deliver_batch(ids: list[int], now: datetime, settings: MailSettings, report: SendReport) -> None:
    messages = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))
                                       .options(selectinload(OutboxMessage.attachments)).order_by(OutboxMessage.id)))
    transport = make_transport(settings)
    try:
        transport.open()
    except TryLater as exc:
        log.warning("mail: %s", exc)
        for message in messages:
            _record(message, now, settings, report, exc)
        return
    try:
        for index, message in enumerate(messages):
            try:
                refused = transport.send(message, now)
            except ConnectionLost as exc:  # this one and the rest of the batch wait for the server
                for waiting in messages[index:]:
                    _record(waiting, now, settings, report, exc)
                return
            except DeliveryError as exc:
                _record(message, now, settings, report, exc)
            else:
                _record(message, now, settings, report, None, refused)
    finally:
        transport.close()


def _record(message: OutboxMessage, now: datetime, settings: MailSettings, report: SendReport,
            error: DeliveryError | None, refused: dict[str, str] | None = None) -> None:
    """Write the outcome of one attempt, only if the claim is still ours, and commit it at once."""
    count, values = attempt_outcome(message, now, error, settings.give_up_hours, settings.retry_seconds)
    if error is None:
        values["last_error"] = "; ".join(f"{rcpt}: {why}" for rcpt, why in (refused or {}).items())
    setattr(report, count, getattr(report, count) + 1)
    record_outcome(OutboxMessage, message, values)


def attempt_outcome(message, now: datetime, error: DeliveryError | None, give_up_hours: float,
                    retry_seconds: float) -> tuple[str, dict]:
    """The row's values after one attempt, and what it counts as: 'sent', 'retrying' or 'failed'.

    Shared with the other channels' outbox (pipeline/channels/sender.py)."""
    if error is None:
        return "sent", dict(status=MessageStatus.SENT, sent_at=now)
    if isinstance(error, TryLater) and now - message.queued_at < timedelta(hours=give_up_hours):
        return "retrying", dict(status=MessageStatus.QUEUED, last_error=str(error),
                                next_attempt_at=now + retry_delay(message.attempts, retry_seconds))
    prefix = "" if isinstance(error, (Refused, OutcomeUnknown)) else "多次重试仍未成功，已放弃："
    return "failed", dict(status=MessageStatus.FAILED, last_error=prefix + str(error))


def record_outcome(model, message, values: dict) -> None:
    """Write an attempt's outcome if the claim is still ours (a row given up meanwhile stays so) and commit."""
    db.session.execute(
        update(model).where(model.id == message.id, model.claim_token == message.claim_token)
        .values(claim_token=None, **values).execution_options(synchronize_session=False))
    db.session.commit()
