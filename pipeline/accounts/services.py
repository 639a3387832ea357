"""User accounts managed in the app: invite, edit, disable and enable; set a password from a one-time link."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from pipeline.accounts.models import TokenPurpose
from pipeline.accounts.tokens import LIFETIMES, find_open_token, issue_token, open_invitation, revoke_tokens
from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.auth.models import ROLE_LABELS, Role, User
from pipeline.auth.passwords import hash_password
from pipeline.auth.services import UserError, check_password_strength, end_sessions, password_context
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.i18n import to_local
from pipeline.notifications import external_url, queue_template_email
from pipeline.tenancy.scope import exists_in_any_county

NO_PASSWORD = "!invited"  # noqa: S105 - not an argon2 hash: nothing verifies against it until the invitation is used


@dataclass
class UserData:
    """What the admin's form says about a user (plain values)."""

    role: Role
    display_name: str
    email: str
    username: str = ""
    firm_code: str = ""
    town_ids: list[int] = field(default_factory=list)
    reports_monthly: bool = False


def has_pending_invitation(user: User) -> bool:
    """The user has not set a password yet (invited, or the invitation was revoked)."""
    return user.password_hash.startswith("!")


def _firm_for(data: UserData) -> Firm | None:
    if data.role is not Role.FIRM:
        return None
    code = data.firm_code.strip().upper()
    if not code:
        raise UserError(_("企业用户必须填写所属企业的统一社会信用代码。"))
    firm = db.session.scalar(select(Firm).where(Firm.credit_code == code))
    if firm is None:
        raise UserError(_("找不到统一社会信用代码为 %(code)s 的企业。", code=code))
    return firm


def _towns_for(data: UserData) -> list[Town]:
    if data.role is not Role.OFFICER or not data.town_ids:
        return []
    return list(db.session.scalars(select(Town).where(Town.id.in_(data.town_ids)).order_by(Town.sort_order)))


def _check_email(email: str, user: User | None) -> str:
    email = email.strip()
    taken = db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower(),
                                                    User.id != getattr(user, "id", None)).limit(1))
    if taken:
        raise UserError(_("邮箱 %(email)s 已被其他用户使用。", email=email))
    return email


def invite_user(data: UserData, *, by: User, now: datetime) -> User:
    """Create a user without a password and mail them a link (72 h, once) to set their own."""
    username = data.username.strip()
    if exists_in_any_county(db.session, select(User.id).where(func.lower(User.username) == username.lower())):
        raise UserError(_("用户名 %(name)s 已存在。", name=username))
    firm = _firm_for(data)
    user = User(username=username, role=data.role, password_hash=NO_PASSWORD, display_name=data.display_name.strip(),
                email=_check_email(data.email, None), firm=firm, towns=_towns_for(data),
                reports_monthly=data.reports_monthly and data.role is not Role.FIRM, created_at=now,
                # the inviter's county (or city: a city admin invites the city's staff); a firm user, the firm's
                authority_id=firm.county_id if firm is not None else by.authority_id)
    db.session.add(user)
    db.session.flush()
    record_event(AuditKind.USER_CREATED, actor=by, target=user, now=now, role=user.role.value,
                 firm=user.firm.credit_code if user.firm else None, towns=[t.name for t in user.towns] or None)
    send_invitation(user, by=by, now=now)
    return user


def send_invitation(user: User, *, by: User, now: datetime) -> None:
    """(Re-)send the invitation mail with a fresh link; an older link stops working."""
    if not has_pending_invitation(user) or not user.active:
        raise UserError(_("该用户已设置密码或已停用，无需邀请。"))
    if not user.email:
        raise UserError(_("该用户没有邮箱，无法发送邀请。"))
    token = issue_token(user, TokenPurpose.INVITATION, now, by=by)
    expires = to_local(now + LIFETIMES[TokenPurpose.INVITATION]).strftime("%Y-%m-%d %H:%M")
    queue_template_email("account_invitation", [(user.label, user.email)], now=now, context=dict(
        person=user.label, username=user.username, role=ROLE_LABELS[user.role], inviter=by.label,
        firm=user.firm.name if user.firm else "", expires=expires,
        link=external_url("account.set_password", token=token)))
    record_event(AuditKind.INVITATION_SENT, actor=by, target=user, now=now)


def revoke_invitation(user: User, *, by: User, now: datetime) -> None:
    """Make the user's invitation link stop working."""
    if not revoke_tokens(user, TokenPurpose.INVITATION, now):
        raise UserError(_("该用户没有有效的邀请。"))
    record_event(AuditKind.INVITATION_REVOKED, actor=by, target=user, now=now)


def update_user(user: User, data: UserData, *, by: User, now: datetime) -> None:
    """Change a user's name, e-mail, role, towns, firm and report subscription; the changes are audited."""
    if user.id == by.id and data.role is not user.role:
        raise UserError(_("不能修改自己的角色。"))
    before = _snapshot(user)
    user.role, user.display_name = data.role, data.display_name.strip()
    user.email = _check_email(data.email, user)
    user.firm, user.towns = _firm_for(data), _towns_for(data)
    user.reports_monthly = data.reports_monthly and data.role is not Role.FIRM
    after = _snapshot(user)
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        record_event(AuditKind.USER_UPDATED, actor=by, target=user, now=now, **changes)
    db.session.flush()


def _snapshot(user: User) -> dict:
    return {"role": user.role.value, "display_name": user.display_name, "email": user.email,
            "firm": user.firm.credit_code if user.firm else "", "towns": [t.name for t in user.towns],
            "reports_monthly": user.reports_monthly}


def set_user_active(user: User, active: bool, *, by: User, now: datetime) -> None:
    """Disable (every session ends at once, open links stop working) or enable a user; never delete one."""
    if user.id == by.id:
        raise UserError(_("不能停用自己的账号。"))
    if user.active == active:
        return
    user.active = active
    if not active:
        end_sessions(user)
        for purpose in TokenPurpose:
            revoke_tokens(user, purpose, now)
    record_event(AuditKind.USER_ENABLED if active else AuditKind.USER_DISABLED, actor=by, target=user, now=now)
    db.session.flush()


def set_password_with_token(token: str, purpose: TokenPurpose, password: str, now: datetime, *,
                            min_length: int) -> User:
    """Set the password through a one-time link (invitation or reset): the link is used up, every session ends."""
    row = find_open_token(token, purpose, now)
    if row is None:
        raise UserError(_("链接无效或已过期，请重新申请。"))
    user = row.user
    check_password_strength(password, min_length, context=password_context(user.username, user.display_name,
                                                                            user.email, user.firm))
    row.used_at = now
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.must_change_password = False
    end_sessions(user)
    kind = AuditKind.PASSWORD_SET if purpose is TokenPurpose.INVITATION else AuditKind.PASSWORD_RESET
    record_event(kind, actor=user, target=user, now=now)
    return user


def invitation_state(user: User, now: datetime) -> str:
    """'' (has a password), 'open' (a link can be used) or 'none' (invited, but no usable link)."""
    if not has_pending_invitation(user):
        return ""
    return "open" if open_invitation(user, now) else "none"
