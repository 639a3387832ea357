"""Read-side queries of the outbox page."""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select

from pipeline.extensions import db
from pipeline.mail.models import MessageStatus, OutboxMessage

PAGE_SIZE = 50


def get_message_or_404(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return message


def list_outbox(status: MessageStatus | None, page: int) -> tuple[list[OutboxMessage], bool]:
    """One page of messages, newest first, and whether there is a next page."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    rows = list(db.session.scalars(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def count_outbox_by_status() -> dict[MessageStatus, int]:
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: count for status, count in rows}
