"""Login throttles kept in the database (so that they hold across web workers), per OWASP ASVS 5.0 §6.3.

A failed login counts against three keys: the account from that client address, the address (any accounts), and
the account from anywhere. Each key waits a growing delay once its free failures are used up
(pipeline/domain/throttle.py), never a fixed lock: an attacker slows down only the keys it uses. The account-wide
count does not apply at an address the account has logged in from recently (its usual address), so the owner
with the right password still gets in while someone elsewhere guesses at the account. A success forgets the
account-and-address count. The client address comes from client_ip() (PIPELINE_PROXY_HOPS behind proxies).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import and_, delete, or_, select, update

from pipeline.auth.models import LoginAttempt, LoginThrottle, ThrottleScope
from pipeline.db import insert_or_ignore
from pipeline.domain.text import N_
from pipeline.domain.throttle import ZERO, ThrottlePolicy, wait_left
from pipeline.extensions import db

USUAL_ADDRESS_DAYS = 90  # an address the account logged in from within this many days is its usual one
WAIT_SECONDS = N_("登录尝试过于频繁，请 %(seconds)s 秒后再试。")
WAIT_MINUTES = N_("登录尝试过于频繁，请 %(minutes)s 分钟后再试。")


@dataclass(frozen=True)
class Throttle:
    """One throttle as the admin page shows it."""

    id: int
    scope: ThrottleScope
    username: str
    ip: str
    failures: int
    last_failure_at: datetime
    wait: timedelta


def throttle_policy(app: Flask) -> ThrottlePolicy:
    """The policy from the app's LOGIN_* settings."""
    cfg = app.config
    return ThrottlePolicy(free=cfg["LOGIN_FREE_FAILURES"], address_free=cfg["LOGIN_ADDRESS_FREE_FAILURES"],
                          account_free=cfg["LOGIN_ACCOUNT_FREE_FAILURES"],
                          max_delay=timedelta(minutes=cfg["LOGIN_MAX_DELAY_MINUTES"]))


def _keys(username: str, ip: str) -> dict[ThrottleScope, tuple[str, str]]:
    return {ThrottleScope.ACCOUNT_ADDRESS: (username, ip), ThrottleScope.ADDRESS: ("", ip),
            ThrottleScope.ACCOUNT: (username, "")}


def _free(scope: ThrottleScope, policy: ThrottlePolicy) -> int:
    return {ThrottleScope.ACCOUNT_ADDRESS: policy.free, ThrottleScope.ADDRESS: policy.address_free,
            ThrottleScope.ACCOUNT: policy.account_free}[scope]


def throttle_wait(username: str, ip: str, now: datetime, policy: ThrottlePolicy) -> timedelta:
    """Return how long this account must wait before trying again from this address (ZERO: try now)."""
    keys = _keys(username, ip)
    rows = db.session.execute(select(LoginThrottle.scope, LoginThrottle.failures, LoginThrottle.last_failure_at)
                              .where(or_(*(and_(LoginThrottle.scope == scope.value, LoginThrottle.username == user,
                                                LoginThrottle.ip == address)
                                           for scope, (user, address) in keys.items())))).all()
    waits = {ThrottleScope(scope): wait_left(failures, last, _free(ThrottleScope(scope), policy), now, policy)
             for scope, failures, last in rows}
    if waits.get(ThrottleScope.ACCOUNT, ZERO) and is_usual_address(username, ip, now):
        del waits[ThrottleScope.ACCOUNT]
    return max(waits.values(), default=ZERO)


def is_usual_address(username: str, ip: str, now: datetime) -> bool:
    """Whether the account logged in successfully from this address within USUAL_ADDRESS_DAYS."""
    return db.session.scalar(select(LoginAttempt.id).where(
        LoginAttempt.username == username, LoginAttempt.ip == ip, LoginAttempt.success.is_(True),
        LoginAttempt.at >= now - timedelta(days=USUAL_ADDRESS_DAYS)).limit(1)) is not None


def record_failure(username: str, ip: str, now: datetime, policy: ThrottlePolicy) -> None:
    """Count a failed login against its three keys (a count untouched for the policy's memory starts again)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - policy.memory))
    for scope, (user, address) in _keys(username, ip).items():
        insert_or_ignore(db.session, LoginThrottle, {"scope": scope.value, "username": user, "ip": address,
                                                     "failures": 0, "last_failure_at": now})
        db.session.execute(update(LoginThrottle).where(
            LoginThrottle.scope == scope.value, LoginThrottle.username == user, LoginThrottle.ip == address).values(
            failures=LoginThrottle.failures + 1, last_failure_at=now))


def record_success(username: str, ip: str) -> None:
    """Forget the failures of this account from this address (the address's and account's counts stay)."""
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.scope == ThrottleScope.ACCOUNT_ADDRESS.value, LoginThrottle.username == username,
        LoginThrottle.ip == ip))


def wait_message(wait: timedelta) -> str:
    """The Chinese refusal for a throttled attempt, in seconds or whole minutes."""
    seconds = math.ceil(wait.total_seconds())
    if seconds <= 90:
        return _(WAIT_SECONDS, seconds=seconds)
    return _(WAIT_MINUTES, minutes=math.ceil(seconds / 60))


def list_throttles(now: datetime, policy: ThrottlePolicy) -> list[Throttle]:
    """Every count still remembered, the ones making someone wait first, then the most recent."""
    rows = db.session.scalars(select(LoginThrottle).where(LoginThrottle.last_failure_at >= now - policy.memory)
                              .order_by(LoginThrottle.last_failure_at.desc()).limit(500))
    made = [Throttle(r.id, ThrottleScope(r.scope), r.username, r.ip, r.failures, r.last_failure_at,
                     wait_left(r.failures, r.last_failure_at, _free(ThrottleScope(r.scope), policy), now, policy))
            for r in rows]
    return sorted(made, key=lambda t: t.wait == ZERO)


def clear_throttle(throttle_id: int) -> bool:
    """Forget one count (an admin's decision); False when it was already gone."""
    return db.session.execute(delete(LoginThrottle).where(LoginThrottle.id == throttle_id)).rowcount > 0
