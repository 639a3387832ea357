"""The end of a login, shared by the password step and the two-factor step: a user with two-factor authentication
is held in the session as "pending" (5 minutes) until the code; then the session starts, audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import redirect, session, url_for
from flask_login import login_user
from sqlalchemy import select

from pipeline.accounts.twofactor import has_two_factor
from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.auth.models import User
from pipeline.extensions import db

PENDING_KEY = "pending_2fa"
PENDING_FOR = timedelta(minutes=5)


def start_login(user: User, next_url: str, now: datetime, home_url):
    """After a correct password: ask for the second factor, or log in. Commits."""
    if has_two_factor(user):
        db.session.commit()
        session.clear()
        session[PENDING_KEY] = {"token": user.session_token, "next": next_url, "at": now.timestamp()}
        return redirect(url_for("account.login_code"))
    return finish_login(user, next_url, now, home_url)


def pending_user(now: datetime) -> tuple[User | None, str]:
    """The user waiting for the second factor in this session (None when there is none or it took too long)."""
    pending = session.get(PENDING_KEY) or {}
    if not pending or now.timestamp() - pending.get("at", 0) > PENDING_FOR.total_seconds():
        return None, ""
    user = db.session.scalar(select(User).where(User.session_token == str(pending.get("token", ""))))
    return (user if user is not None and user.active else None), str(pending.get("next", ""))


def finish_login(user: User, next_url: str, now: datetime, home_url):
    """Start the session: last login, the audit row, the user's language. Commits."""
    from pipeline.web import safe_next_url

    user.last_login_at = now
    record_event(AuditKind.LOGIN, actor=user, target=user, now=now)
    db.session.commit()
    session.clear()
    login_user(user)
    if user.locale:
        session["lang"] = user.locale
    return redirect(safe_next_url(next_url, home_url(user)))


def record_login_failure(username: str, message: str, now: datetime) -> None:
    """Audit a refused login: a wrong password, or a throttled attempt (refused before any check)."""
    from flask_babel import gettext

    from pipeline.auth.services import BAD_LOGIN

    kind = AuditKind.LOGIN_FAILED if message == gettext(BAD_LOGIN) else AuditKind.LOGIN_THROTTLED
    record_event(kind, actor_name=username.strip()[:64], now=now)
