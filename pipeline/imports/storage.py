"""Where an upload waits between preview and confirmation (a database row), and its progress file.

The parsed rows live in the database (zlib-compressed JSON), keyed by a random token and the user: never in the
cookie. Progress goes to a small file under instance/ because the importing request holds its transaction open
(on SQLite a second writer would wait for it) and any worker must be able to answer the progress poll.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
import zlib
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from flask import abort, current_app
from sqlalchemy import delete, select

from pipeline.auth.models import User
from pipeline.extensions import db
from pipeline.imports.models import ImportBatch

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
KEEP = timedelta(hours=24)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def valid_token(token: str | None) -> bool:
    return bool(token and TOKEN.match(token))


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _packed(payload: dict) -> bytes:
    return zlib.compress(json.dumps(payload, ensure_ascii=False, default=_json_default).encode(), 3)


def save_batch(token: str, user: User, kind: str, filename: str, options: dict, payload: dict, *,
               row_count: int, error_count: int, now: datetime) -> ImportBatch:
    """Store a parsed upload for its owner (and forget uploads older than a day)."""
    db.session.execute(delete(ImportBatch).where(ImportBatch.created_at < now - KEEP))
    batch = ImportBatch(token=token, user_id=user.id, kind=kind, filename=filename[:255],
                        options=json.dumps(options, ensure_ascii=False), payload=_packed(payload), row_count=row_count,
                        error_count=error_count, created_at=now)
    db.session.add(batch)
    db.session.flush()
    return batch


def save_result(batch: ImportBatch, payload: dict, result: dict) -> None:
    """Keep what a confirmed import did (counts, the first firms with their ids) for its result page, in place of
    the written rows (`payload`, as confirmation read it): the page never shows them, and 50,000 rows took a second
    to pack again and another to unpack for each view of the result."""
    batch.payload = _packed({**{k: v for k, v in payload.items() if k != "rows"}, "result": result})
    db.session.flush()


def get_batch_or_404(token: str, user: User) -> ImportBatch:
    """The user's own stored upload; anybody else's, or an unknown token, is 404."""
    batch = db.session.scalar(select(ImportBatch).where(ImportBatch.token == token)) if valid_token(token) else None
    if batch is None or batch.user_id != user.id:
        abort(404)
    return batch


def batch_payload(batch: ImportBatch) -> dict:
    return json.loads(zlib.decompress(batch.payload))


def batch_options(batch: ImportBatch) -> dict:
    return json.loads(batch.options or "{}")


class ProgressFile:
    """Write how far an import is, at most a few times a second; read it back for the owner only."""

    def __init__(self, token: str, user_id: int, phase: str):
        self.path = progress_path(token) if valid_token(token) else None
        self.user_id, self.phase, self._last = user_id, phase, 0.0

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        if self.path is None or (not force and time.monotonic() - self._last < 0.3):
            return
        self._last = time.monotonic()
        data = {"user": self.user_id, "phase": self.phase, "done": done, "total": total}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, self.path)

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        self(0, None, force=True)

    def remove(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def progress_path(token: str) -> Path:
    folder = Path(current_app.instance_path) / "import-progress"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{token}.json"


def read_progress(token: str, user: User) -> dict:
    """The progress of the user's own import, or {'phase': 'waiting'} when there is none (yet)."""
    if not valid_token(token):
        abort(404)
    try:
        data = json.loads(progress_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"phase": "waiting", "done": 0, "total": None}
    if data.get("user") != user.id:
        return {"phase": "waiting", "done": 0, "total": None}
    return {key: data.get(key) for key in ("phase", "done", "total")}
