"""Put mail into the outbox, in the caller's transaction: a rolled-back change sends nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import make_transient_to_detached

from pipeline.db import insert_or_ignore, utcnow
from pipeline.extensions import db
from pipeline.mail.compose import new_message_id, render_email
from pipeline.mail.models import MessageStatus, OutboxAttachment, OutboxMessage

# Deliberately loose: the mail server is the judge of an address; this only keeps out what breaks a header.
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+$")

Recipient = str | tuple[str, str]  # "a@b.cn" or ("王科员", "a@b.cn")


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    content: bytes


def _pairs(recipients: Iterable[Recipient]) -> list[list[str]]:
    pairs = []
    for recipient in recipients:
        name, address = ("", recipient) if isinstance(recipient, str) else recipient
        address = address.strip()
        if not _ADDRESS.match(address):
            raise ValueError(f"不是有效的邮件地址：{address!r}")
        pairs.append([" ".join(name.split()), address])
    return pairs


def queue_email(to: Iterable[Recipient], subject: str, text: str, *, html: str = "",
                cc: Iterable[Recipient] = (), bcc: Iterable[Recipient] = (),
                attachments: Iterable[Attachment] = (), template: str = "", dedup_key: str | None = None,
                sender: str | None = None, now: datetime | None = None) -> OutboxMessage:
    """Add an email to the outbox in the current transaction and flush; it is sent only once that commits.

    Bulk mail goes in `bcc` with an empty `to`. With a `dedup_key` already in the outbox, nothing is added
    and the existing message is returned."""
    to, cc, bcc = _pairs(to), _pairs(cc), _pairs(bcc)
    if not (to or cc or bcc):
        raise ValueError("邮件没有收件人")
    now = now or utcnow()
    sender = sender or current_app.config["MAIL_DEFAULT_SENDER"]
    values = dict(template=template, sender=sender, to=to, cc=cc, bcc=bcc, subject=" ".join(subject.split()),
                  text_body=text, html_body=html, message_id=new_message_id(sender), dedup_key=dedup_key,
                  status=MessageStatus.QUEUED, attempts=0, created_at=now, queued_at=now, next_attempt_at=now,
                  last_error="")
    message_id = insert_or_ignore(db.session, OutboxMessage, values)
    if message_id is None:  # queued before (a re-run) or by a concurrent writer: the dedup_key is unique
        return db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))
    # The row as written, without reading it back (a reminder day queues ~160,000): persistent under its new id;
    # columns not given (the claim, the provider's answer) load if someone reads them.
    message = OutboxMessage(id=message_id, **values)
    make_transient_to_detached(message)
    db.session.add(message)
    for attachment in attachments:
        message.attachments.append(
            OutboxAttachment(filename=attachment.filename, mimetype=attachment.mimetype, content=attachment.content))
    db.session.flush()
    return message


def queue_template_email(name: str, to: Iterable[Recipient], *, context: dict | None = None,
                         **options) -> OutboxMessage:
    """Render emails/<name>.txt|.html in Chinese and queue the result (options as for queue_email)."""
    rendered = render_email(name, **(context or {}))
    return queue_email(to, rendered.subject, rendered.text, html=rendered.html, template=name, **options)


def retry_message(message: OutboxMessage, now: datetime) -> bool:
    """Queue a failed message again, with a fresh give-up clock; anything else is left alone."""
    if message.status is not MessageStatus.FAILED:
        return False
    message.status = MessageStatus.QUEUED
    message.queued_at = message.next_attempt_at = now
    message.attempts = 0
    message.claim_token = None
    db.session.flush()
    return True


def retry_failed_messages(now: datetime) -> int:
    """Queue every failed message again (after the admin fixed the mail settings, say)."""
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == MessageStatus.FAILED))
    return sum(retry_message(message, now) for message in failed)
