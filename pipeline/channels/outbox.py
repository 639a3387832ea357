"""Put channel messages into their outbox, in the caller's transaction: a rolled-back change sends nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from pipeline.channels.models import ChannelMessage
from pipeline.db import insert_or_ignore
from pipeline.domain.channels import Channel
from pipeline.extensions import db
from pipeline.mail.models import MessageStatus


def queue_channel_message(channel: Channel, recipient: str, *, dedup_key: str, now: datetime, kind: str = "",
                          label: str = "", title: str = "", body: str = "", payload: dict | None = None) -> int:
    """Add one message for one channel and recipient; its id (with its dedup_key already queued, that one's). The
    row is not loaded back: a reminder day queues one per reminder and nobody holds it as an object."""
    values = dict(channel=channel.value, kind=kind, dedup_key=dedup_key, recipient=recipient, recipient_label=label,
                  title=title[:200], body=body, payload=payload or {}, status=MessageStatus.QUEUED, attempts=0,
                  created_at=now, queued_at=now, next_attempt_at=now, last_error="", provider_request_id="")
    message_id = insert_or_ignore(db.session, ChannelMessage, values)
    if message_id is None:
        return db.session.scalar(select(ChannelMessage.id).where(ChannelMessage.dedup_key == dedup_key))
    return message_id
