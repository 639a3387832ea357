"""TOTP two-factor authentication: enrolment, the login's second step, recovery codes, the mandatory setting and the
admin's reset."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from pipeline.accounts.twofactor import (
    check_second_factor,
    enable_two_factor,
    new_secret,
    set_two_factor_required,
)
from pipeline.audit.models import AuditEvent
from pipeline.auth.models import Role
from pipeline.auth.services import UserError
from tests.accounts.conftest import form_login

NOW = datetime(2026, 3, 2, 1, 0, 7, tzinfo=UTC)


def _code(secret, at):
    return pyotp.TOTP(secret).at(at)


def test_enrolment_needs_a_right_code_and_gives_ten_single_use_recovery_codes(db, make_user):
    user = make_user(Role.OFFICER)
    secret = new_secret()
    with pytest.raises(UserError, match="验证码不正确"):
        enable_two_factor(user, secret, "000000" if _code(secret, NOW) != "000000" else "111111", NOW)
    codes = enable_two_factor(user, secret, _code(secret, NOW), NOW)
    assert len(codes) == 10 and user.totp_secret == secret
    assert check_second_factor(user, codes[0], NOW) and not check_second_factor(user, codes[0], NOW)


def test_a_code_is_accepted_once_and_within_one_step_of_the_clock(db, make_user):
    user = make_user(Role.OFFICER)
    secret = new_secret()
    enable_two_factor(user, secret, _code(secret, NOW), NOW)
    later = NOW + timedelta(seconds=60)
    assert not check_second_factor(user, _code(secret, NOW), later)  # two steps old (and already used)
    assert check_second_factor(user, _code(secret, later - timedelta(seconds=30)), later)  # a slow phone
    assert not check_second_factor(user, _code(secret, later - timedelta(seconds=30)), later)  # replayed
    assert not check_second_factor(user, _code(secret, later + timedelta(minutes=5)), later)


def _enrol_through_pages(client):
    client.get("/account/2fa/setup")
    with client.session_transaction() as session:
        secret = session["totp_enrolment"]
    response = client.post("/account/2fa/setup", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200 and "两步验证已启用" in response.get_data(as_text=True)
    return secret


def test_login_asks_for_the_code_after_the_password(client, db, make_user):
    user = make_user(Role.OFFICER)
    db.session.commit()
    form_login(client, user.username)
    secret = _enrol_through_pages(client)
    client.post("/logout")
    response = form_login(client, user.username)
    assert response.headers["Location"] == "/account/login/code"
    assert client.get("/funnel/").status_code == 302  # not logged in yet
    wrong = client.post("/account/login/code", data={"code": "12345x"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.get_data(as_text=True)
    # the code used for enrolment is spent; the next step's code logs in
    code = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
    assert client.post("/account/login/code", data={"code": code}).status_code == 302
    assert client.get("/funnel/").status_code == 200
    kinds = [e.kind for e in db.session.scalars(select(AuditEvent).where(AuditEvent.target_user_id == user.id))]
    assert kinds == ["login", "2fa_enabled", "logout", "2fa_failed", "login"]


def test_mandatory_two_factor_sends_staff_to_enrolment_but_not_firm_users(client, app, db, make_user, login_as):
    admin = make_user(Role.ADMIN)
    set_two_factor_required(True, by=admin, now=NOW)
    db.session.commit()
    login_as(Role.OFFICER)
    response = client.get("/funnel/")
    assert response.headers["Location"] == "/account/2fa/setup"
    _enrol_through_pages(client)
    assert client.get("/funnel/").status_code == 200
    firm_client = app.test_client()
    firm_user = make_user(Role.FIRM, firm=None)
    db.session.commit()
    with firm_client.session_transaction() as session:
        session["_user_id"] = firm_user.session_token
    assert firm_client.get("/account/2fa/").status_code == 200  # optional: not sent anywhere


def test_admin_resets_a_lost_device_audited(client, db, make_user, login_as):
    officer = make_user(Role.OFFICER)
    secret = new_secret()
    enable_two_factor(officer, secret, _code(secret, NOW), NOW)
    db.session.commit()
    admin = login_as(Role.ADMIN)
    assert client.post(f"/admin/users/{officer.id}/two-factor/reset").status_code == 302
    db.session.expire_all()
    assert officer.totp_secret is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "2fa_reset")).one()
    assert (event.actor_id, event.target_user_id) == (admin.id, officer.id)


def test_the_mandatory_setting_is_an_audited_admin_change(client, db, login_as):
    login_as(Role.ADMIN)
    assert client.post("/admin/users/settings", data={"required": "y"}).status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "setting_changed")).one()
    assert event.details == {"setting": "two_factor_required", "value": True}
