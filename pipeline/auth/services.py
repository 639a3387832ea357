"""Logging in and out (throttled after repeated failures), and user accounts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.auth.models import LoginAttempt, Role, User, new_session_token
from pipeline.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from pipeline.auth.throttle import record_failure, record_success, throttle_wait, wait_message
from pipeline.domain.text import N_
from pipeline.domain.throttle import ThrottlePolicy
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.hygiene import text_problem
from pipeline.tenancy.scope import exists_in_any_county


class AuthError(Exception):
    """A refusal to show the user as it is (Chinese, and never says whether the user exists)."""


class UserError(ValueError):
    """Bad input for a user account."""


BAD_LOGIN = N_("用户名或密码错误。")


def authenticate(username: str, password: str, ip: str, now: datetime, *, policy: ThrottlePolicy) -> User:
    """Return the user for good credentials, or raise AuthError; every attempt is recorded, a throttled one is
    refused without checking the password (pipeline/auth/throttle.py)."""
    username = username.strip()[:64]
    wait = throttle_wait(username, ip, now, policy)
    if wait:
        db.session.add(LoginAttempt(username=username, ip=ip[:45], at=now, success=False))
        db.session.flush()
        raise AuthError(wait_message(wait))
    user = db.session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.active
    db.session.add(LoginAttempt(username=username, ip=ip[:45], at=now, success=ok))
    if not ok:
        record_failure(username, ip[:45], now, policy)
        db.session.flush()
        raise AuthError(_(BAD_LOGIN))
    record_success(username, ip[:45])
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session of the user (logout, password change)."""
    user.session_token = new_session_token()
    db.session.flush()


def change_password(user: User, current: str, new: str, now: datetime, *, min_length: int) -> None:
    """Check the current password, set the new one and end all other sessions."""
    if not verify_password(user.password_hash, current):
        raise UserError(_("当前密码不正确。"))
    check_password_strength(new, min_length, context=password_context(user.username, user.display_name, user.email,
                                                                     user.firm))
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    user.must_change_password = False  # a temporary or CLI-made password is replaced (issue 19)
    end_sessions(user)
    record_event(AuditKind.PASSWORD_CHANGED, actor=user, target=user, now=now)


def check_password_strength(password: str, min_length: int, *, context: Iterable[str] = ()) -> None:
    """Refuse a new password that is too short or easy to guess (the web form and `flask users create` alike)."""
    problem = password_problem(password, min_length=min_length, context=context)
    if problem:
        raise UserError(problem)


def password_context(username: str, display_name: str, email: str, firm: Firm | None) -> list[str]:
    """What a guesser knows about the user: names, the e-mail's local part, the firm's name and credit code."""
    words = [username, display_name, email.partition("@")[0]]
    if firm is not None:
        words += [firm.name, firm.credit_code]
    return [word for word in words if word]


def create_user(username: str, role: Role | str, password: str, *, firm_code: str | None = None,
                display_name: str = "", email: str = "", min_length: int = 10,
                authority_id: int | None = None) -> User:
    """Create a user; a firm user must name an existing firm by its credit code, and belongs to the firm's county.
    `authority_id`: the county, city or province the user works for (default: the scope's one county)."""
    role = Role(role)
    username = username.strip()
    if not username:
        raise UserError("用户名不能为空。")
    for label, text in (("用户名", username), ("姓名", display_name), ("邮箱", email)):
        if problem := text_problem(text):  # the same one-line rule as every form and the import
            raise UserError(f"{label}{problem}")
    if exists_in_any_county(db.session, select(User.id).where(User.username == username)):
        raise UserError(f"用户名 {username} 已存在。")
    firm = None
    if role is Role.FIRM:
        if not firm_code:
            raise UserError("企业用户必须用 --firm 指定企业的统一社会信用代码。")
        firm = db.session.scalar(select(Firm).where(Firm.credit_code == firm_code.strip().upper()))
        if firm is None:
            raise UserError(f"找不到统一社会信用代码为 {firm_code} 的企业。")
    elif firm_code:
        raise UserError("只有企业用户可以绑定企业。")
    if firm is not None and authority_id not in (None, firm.county_id):
        raise UserError("企业用户属于其企业所在的区县。")
    check_password_strength(password, min_length, context=password_context(username, display_name, email, firm))
    authority = {"authority_id": firm.county_id if firm is not None else authority_id}
    user = User(username=username, role=role, password_hash=hash_password(password), firm=firm,
                display_name=display_name, email=email, **{k: v for k, v in authority.items() if v is not None})
    db.session.add(user)
    db.session.flush()
    return user
