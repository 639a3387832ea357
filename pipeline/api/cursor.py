"""Keyset pages: rows in order of (change time, id), a page after an opaque cursor that names its last row."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, or_

from pipeline.extensions import db


class BadCursor(ValueError):
    """A cursor this API did not make (or made for another list)."""


def encode_cursor(at: datetime, row_id: int) -> str:
    raw = json.dumps([at.astimezone(UTC).isoformat(), row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, row_id = json.loads(raw)
        moment = datetime.fromisoformat(at)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadCursor from exc
    if moment.tzinfo is None or type(row_id) is not int or not 0 < row_id < 2**31:
        raise BadCursor
    try:
        return moment.astimezone(UTC), row_id
    except OverflowError as exc:
        raise BadCursor from exc


@dataclass(frozen=True)
class Page:
    rows: list  # (entity, changed_at, …) tuples as the statement selects them
    next_cursor: str | None


def read_page(statement, changed_at, row_id, *, limit: int, cursor: str | None, since: datetime | None) -> Page:
    """One page of `statement` (which selects the entity, then `changed_at`) in (changed_at, id) order: rows changed
    after `since`, after the cursor's row."""
    if since is not None:
        statement = statement.where(changed_at > since)
    if cursor:
        at, last_id = decode_cursor(cursor)
        statement = statement.where(or_(changed_at > at, and_(changed_at == at, row_id > last_id)))
    rows = db.session.execute(statement.order_by(changed_at, row_id).limit(limit + 1)).all()
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    return Page(rows[:limit], encode_cursor(last[1], last[0].id))
