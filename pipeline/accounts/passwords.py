"""Forgot password: a reset link by mail (30 min, once), the same answer whether or not the account exists,
throttled with the login throttles (pipeline/auth/throttle.py) under the name "reset:<what was typed>"."""

from __future__ import annotations

import math
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from pipeline.accounts.models import TokenPurpose
from pipeline.accounts.tokens import LIFETIMES, issue_token
from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.auth.models import User
from pipeline.auth.services import UserError
from pipeline.auth.throttle import record_failure, throttle_wait
from pipeline.domain.throttle import ThrottlePolicy
from pipeline.extensions import db
from pipeline.i18n import to_local
from pipeline.notifications import external_url, queue_template_email

MAX_ACCOUNTS_PER_ADDRESS = 5  # one e-mail address shared by a few accounts: each gets its own link


def request_password_reset(identifier: str, ip: str, now: datetime, *, policy: ThrottlePolicy) -> None:
    """Mail a reset link to the account(s) named by a username or e-mail address, if any; raise UserError only when
    the requests from this address (or for this name) come too fast."""
    identifier = identifier.strip()[:254]
    key = f"reset:{identifier.lower()}"[:64]
    wait = throttle_wait(key, ip, now, policy)
    if wait:
        raise UserError(_("请求过于频繁，请 %(seconds)s 秒后再试。", seconds=math.ceil(wait.total_seconds())))
    record_failure(key, ip, now, policy)  # every request counts: a reset never "succeeds" in the throttle's sense
    users = _accounts_named(identifier)
    for user in users:
        _send_reset(user, now)
    if not users:
        record_event(AuditKind.PASSWORD_RESET_REQUESTED, actor_name=identifier[:64], now=now, ip=ip, unknown=True)
    db.session.flush()


def _accounts_named(identifier: str) -> list[User]:
    lowered = identifier.lower()
    query = select(User).where(User.active.is_(True), User.email != "",
                               or_(func.lower(User.username) == lowered, func.lower(User.email) == lowered))
    return list(db.session.scalars(query.order_by(User.id).limit(MAX_ACCOUNTS_PER_ADDRESS)))


def _send_reset(user: User, now: datetime) -> None:
    token = issue_token(user, TokenPurpose.RESET, now)
    expires = to_local(now + LIFETIMES[TokenPurpose.RESET]).strftime("%Y-%m-%d %H:%M")
    queue_template_email("password_reset", [(user.label, user.email)], now=now, context=dict(
        person=user.label, username=user.username, expires=expires,
        link=external_url("account.reset_password", token=token)))
    record_event(AuditKind.PASSWORD_RESET_REQUESTED, target=user, actor_name=user.username, now=now)
