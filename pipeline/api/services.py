"""API clients: create one (its token shown once), revoke it, recognise a token, count its calls, log them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from pipeline.api.models import ApiCall, ApiClient, ApiRateWindow, ApiScope
from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.db import insert_or_ignore, utcnow
from pipeline.domain.text import N_
from pipeline.extensions import db

TOKEN_PREFIX = "ppl_"  # noqa: S105 (not a secret: marks a Pipeline token in logs and secret scanners)
SHOWN_PREFIX = 12  # characters of the token kept in clear to tell clients apart
KEEP_WINDOWS = timedelta(hours=1)


class ApiClientError(ValueError):
    """A client that cannot be created or revoked as asked (the message is for the admin)."""


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    token: str  # the secret, shown once and never stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_client(name: str, authority_id: int, scopes: list[str], *, actor, now: datetime | None = None) -> NewClient:
    """Make a client with a new random token; only its hash and first characters are kept."""
    name = name.strip()
    if not name:
        raise ApiClientError(N_("请填写客户端名称。"))
    chosen = [scope.value for scope in ApiScope if scope.value in scopes]
    if not chosen:
        raise ApiClientError(N_("请至少选择一项读取范围。"))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(name=name[:100], authority_id=authority_id, scopes=chosen, token_hash=hash_token(token),
                       token_prefix=token[:SHOWN_PREFIX], created_by_id=actor.id, created_at=now or utcnow())
    db.session.add(client)
    db.session.flush()
    record_event(AuditKind.API_CLIENT_CREATED, actor=actor, now=now, client=client.name,
                 token=client.token_prefix + "…", authority=authority_id, scopes=chosen)
    return NewClient(client, token)


def revoke_client(client: ApiClient, *, actor, now: datetime | None = None) -> None:
    """Stop a client's token from working, at once and for good."""
    if client.revoked_at is not None:
        raise ApiClientError(N_("该客户端已被吊销。"))
    client.revoked_at, client.revoked_by_id = now or utcnow(), actor.id
    db.session.flush()
    record_event(AuditKind.API_CLIENT_REVOKED, actor=actor, now=now, client=client.name,
                 token=client.token_prefix + "…")


def find_client_by_token(token: str) -> ApiClient | None:
    """The active client whose token this is, or None (unknown or revoked)."""
    if not token or len(token) > 200:
        return None
    client = db.session.scalar(select(ApiClient).where(ApiClient.token_hash == hash_token(token)))
    return client if client is not None and client.revoked_at is None else None


def count_call(client: ApiClient, now: datetime, *, limit: int) -> int | None:
    """Count a call in the client's minute (one row per client and minute, shared by every worker); None when
    within the limit, else the seconds until the next minute starts."""
    start = now.replace(second=0, microsecond=0)
    if insert_or_ignore(db.session, ApiRateWindow, {"client_id": client.id, "window_start": start, "calls": 0},
                        key="client_id") is not None:
        db.session.execute(delete(ApiRateWindow).where(ApiRateWindow.client_id == client.id,
                                                       ApiRateWindow.window_start < start - KEEP_WINDOWS))
    window = (ApiRateWindow.client_id == client.id) & (ApiRateWindow.window_start == start)
    db.session.execute(update(ApiRateWindow).where(window).values(calls=ApiRateWindow.calls + 1))
    calls = db.session.scalar(select(ApiRateWindow.calls).where(window))
    client.last_used_at = now
    if calls <= limit:
        return None
    return max(1, 60 - now.second)


def log_call(client_id: int | None, *, method: str, path: str, status: int, ip: str, now: datetime) -> None:
    """Append one row to the API's call log. A control character in the path (a probe's NUL, which PostgreSQL's
    text cannot hold) is logged as U+FFFD: the call is still on record, as a 400."""
    path = "".join("\ufffd" if ord(char) < 32 or ord(char) == 127 else char for char in path[:500])
    db.session.add(ApiCall(client_id=client_id, at=now, method=method[:8], path=path, status=status,
                           ip=ip[:45]))
    db.session.flush()
