"""One-time links: a random token goes into the mail, only its SHA-256 into the database; a link works once, until it
expires or a newer link of the same kind replaces it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from pipeline.accounts.models import AccountToken, TokenPurpose
from pipeline.auth.models import User
from pipeline.extensions import db

LIFETIMES = {TokenPurpose.INVITATION: timedelta(hours=72), TokenPurpose.RESET: timedelta(minutes=30)}


def hash_token(token: str) -> str:
    """The stored form of a token (256 random bits: a fast hash is enough, nobody can guess the input)."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, now: datetime, *, by: User | None = None) -> str:
    """Make a new one-time token for the user (older open ones of that purpose stop working) and return it."""
    revoke_tokens(user, purpose, now)
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose.value, token_hash=hash_token(token), created_at=now,
                                expires_at=now + LIFETIMES[purpose], created_by_id=getattr(by, "id", None)))
    db.session.flush()
    return token


def find_open_token(token: str, purpose: TokenPurpose, now: datetime) -> AccountToken | None:
    """The token's row if it is of that purpose, unused, not revoked and not expired, and its user is active."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == hash_token(token),
                                                       AccountToken.purpose == purpose.value))
    if row is None or not row.is_open(now) or not row.user.active:
        return None
    return row


def revoke_tokens(user: User, purpose: TokenPurpose, now: datetime) -> int:
    """Revoke the user's open tokens of a purpose; how many there were."""
    return db.session.execute(update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == purpose.value, AccountToken.used_at.is_(None),
        AccountToken.revoked_at.is_(None), AccountToken.expires_at > now).values(revoked_at=now)).rowcount


def open_invitation(user: User, now: datetime) -> AccountToken | None:
    """The user's invitation that can still be used, if any."""
    return db.session.scalar(select(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == TokenPurpose.INVITATION.value,
        AccountToken.used_at.is_(None), AccountToken.revoked_at.is_(None), AccountToken.expires_at > now)
        .order_by(AccountToken.id.desc()).limit(1))
