"""Two-factor authentication by TOTP (RFC 6238, pyotp): enrolment with a QR code (segno), one-time recovery codes
stored as hashes, the admin's setting that makes it mandatory for admins and officers, and the admin's reset."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

import pyotp
import segno
from flask import g
from flask_babel import gettext as _
from sqlalchemy import delete, select

from pipeline.accounts.models import AccountSetting, RecoveryCode
from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.auth.models import Role, User
from pipeline.auth.services import UserError
from pipeline.extensions import db
from pipeline.tenancy.scope import county_for_new_rows, scope_of_authority
from pipeline.tenancy.services import bureau_name

REQUIRED_KEY = "two_factor_required"
REQUIRED_ROLES = frozenset({Role.ADMIN, Role.OFFICER})  # when the setting is on
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
_CODE = re.compile(r"^\d{6}$")
STEP = timedelta(seconds=30)


def two_factor_required(user: User | None = None) -> bool:
    """Whether a county's admin made two-factor authentication mandatory for its admins and officers (once per
    request): the scope's county, or the user's counties (a city user: when any county below requires it)."""
    counties = (scope_of_authority(db.session, user.authority_id).county_ids if user is not None
                else {county_for_new_rows()})
    cache = g.setdefault("two_factor_required", {})
    key = frozenset(counties)
    if key not in cache:
        cache[key] = "1" in set(db.session.scalars(select(AccountSetting.value).where(
            AccountSetting.key == REQUIRED_KEY, AccountSetting.county_id.in_(counties))))
    return cache[key]


def set_two_factor_required(required: bool, *, by: User, now: datetime) -> None:
    """Turn the mandatory two-factor rule for the scope's county's admins and officers on or off (audited)."""
    county = county_for_new_rows()
    setting = db.session.get(AccountSetting, (REQUIRED_KEY, county)) or AccountSetting(key=REQUIRED_KEY,
                                                                                       county_id=county)
    setting.value, setting.updated_at = ("1" if required else "0"), now
    db.session.add(setting)
    g.pop("two_factor_required", None)
    record_event(AuditKind.SETTING_CHANGED, actor=by, now=now, setting=REQUIRED_KEY, value=required)
    db.session.flush()


def has_two_factor(user: User) -> bool:
    return user.totp_secret is not None


def must_enrol(user: User) -> bool:
    """A staff user who must enrol before using the app."""
    return user.role in REQUIRED_ROLES and not has_two_factor(user) and two_factor_required(user)


def may_switch_off(user: User) -> bool:
    """Whether the user may switch their own two-factor authentication off."""
    return has_two_factor(user) and not (user.role in REQUIRED_ROLES and two_factor_required(user))


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_qr(user: User, secret: str) -> str:
    """The otpauth:// URI as an SVG data URI (the CSP allows data: images; no network)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username,
                                              issuer_name=bureau_name())
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to (now, or one step either side for a slow clock), if valid and unused."""
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        at = now + offset * STEP
        step = totp.timecode(at)
        if (last_step is None or step > last_step) and secrets.compare_digest(totp.at(at), code):
            return step
    return None


def hash_code(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    codes = [f"{code[:5]}-{code[5:]}" for code in codes]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_code(code)) for code in codes)
    return codes


def enable_two_factor(user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Confirm enrolment with a first code from the app; return the recovery codes (shown once)."""
    step = _step(secret, code.strip(), now, None) if _CODE.match(code.strip()) else None
    if step is None:
        raise UserError(_("验证码不正确，请检查手机时间后输入应用中当前显示的 6 位数字。"))
    user.totp_secret, user.totp_last_step = secret, step
    codes = _new_recovery_codes(user)
    record_event(AuditKind.TWO_FACTOR_ENABLED, actor=user, target=user, now=now)
    db.session.flush()
    return codes


def check_second_factor(user: User, code: str, now: datetime) -> bool:
    """Accept a current TOTP code (each time step once) or an unused recovery code (then used up)."""
    code = code.strip()
    if _CODE.match(code):
        step = _step(user.totp_secret, code, now, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            return True
        return False
    row = db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                       RecoveryCode.code_hash == hash_code(code),
                                                       RecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = now
    record_event(AuditKind.RECOVERY_CODE_USED, actor=user, target=user, now=now)
    return True


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                RecoveryCode.used_at.is_(None))).all())


def disable_two_factor(user: User, *, by: User, now: datetime) -> None:
    """Switch two-factor authentication off: by the user (where allowed) or reset by an admin (lost phone)."""
    if not has_two_factor(user):
        raise UserError(_("该用户未启用两步验证。"))
    if by.id == user.id and not may_switch_off(user):
        raise UserError(_("系统要求您的角色启用两步验证，不能关闭。"))
    user.totp_secret = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    kind = AuditKind.TWO_FACTOR_DISABLED if by.id == user.id else AuditKind.TWO_FACTOR_RESET
    record_event(kind, actor=by, target=user, now=now)
    db.session.flush()


def verify_login_code(user: User, code: str, ip: str, now: datetime, *, policy) -> None:
    """The login's second step: raise UserError for a wrong code (audited, counted by the login throttles under
    "2fa:<username>") or while that count makes the user wait."""
    from pipeline.auth.throttle import record_failure, throttle_wait, wait_message

    key = f"2fa:{user.username}"[:64]
    wait = throttle_wait(key, ip, now, policy)
    if wait:
        raise UserError(wait_message(wait))
    if not check_second_factor(user, code, now):
        record_failure(key, ip, now, policy)
        record_event(AuditKind.TWO_FACTOR_FAILED, actor=user, target=user, now=now, ip=ip)
        db.session.flush()
        raise UserError(_("验证码不正确。"))
