"""Login throttling (issue 18, finding 2): growing delays per account and address and per address instead of a
lock anyone can set off; the owner at their usual address still gets in; the admin sees and clears throttles."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pipeline.auth.models import LoginAttempt, LoginThrottle, Role
from pipeline.auth.services import AuthError, authenticate
from pipeline.auth.throttle import throttle_policy
from pipeline.db import utcnow
from tests.conftest import PASSWORD

THROTTLED = "登录尝试过于频繁"


@pytest.fixture
def small_limits(app, monkeypatch):
    """Few free failures, so that a test needs few (slow, argon2) password checks."""
    for key, value in (("LOGIN_FREE_FAILURES", 2), ("LOGIN_ADDRESS_FREE_FAILURES", 4),
                       ("LOGIN_ACCOUNT_FREE_FAILURES", 5)):
        monkeypatch.setitem(app.config, key, value)


def login(client, username, password=PASSWORD, ip="127.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_after_the_free_failures_the_next_attempt_waits_and_the_wait_grows(app, db, make_user, small_limits):
    user = make_user(Role.OFFICER)
    db.session.commit()
    policy, now = throttle_policy(app), utcnow()

    def attempt(password, at):
        try:
            authenticate(user.username, password, "10.0.0.7", at, policy=policy)
        except AuthError as exc:
            return str(exc)
        return "ok"

    assert attempt("bad", now) == attempt("bad", now) == "用户名或密码错误。"
    assert attempt(PASSWORD, now + timedelta(seconds=10)) == "登录尝试过于频繁，请 20 秒后再试。"  # not checked
    assert attempt("bad", now + timedelta(seconds=31)) == "用户名或密码错误。"  # the 3rd failure: now 60 s
    assert THROTTLED in attempt(PASSWORD, now + timedelta(seconds=80))
    assert attempt(PASSWORD, now + timedelta(seconds=92)) == "ok"  # a delay, never a lock
    assert db.session.scalar(select(func.count(LoginThrottle.id)).where(LoginThrottle.scope == "account_address")) == 0


def test_failures_from_one_address_do_not_slow_the_account_elsewhere(client, db, make_user, small_limits):
    admin = make_user(Role.ADMIN)
    db.session.commit()
    for _ in range(3):
        login(client, admin.username, "guess", ip="203.0.113.9")
    assert THROTTLED in login(client, admin.username, ip="203.0.113.9").get_data(as_text=True)
    assert login(client, admin.username, ip="192.168.1.20").status_code == 302


def test_password_spraying_from_one_address_is_slowed_for_every_account(client, db, make_user, small_limits):
    user = make_user(Role.OFFICER)
    db.session.commit()
    for index in range(4):
        login(client, f"guess{index}", "bad", ip="203.0.113.9")
    assert THROTTLED in login(client, user.username, ip="203.0.113.9").get_data(as_text=True)
    assert login(client, user.username, ip="192.168.1.20").status_code == 302


def test_a_distributed_attack_slows_new_addresses_but_not_the_owners_usual_one(client, app, db, make_user,
                                                                             small_limits):
    owner = make_user(Role.ADMIN)
    db.session.add(LoginAttempt(username=owner.username, ip="192.168.1.20", at=utcnow() - timedelta(days=3),
                                success=True))
    db.session.commit()
    for index in range(6):  # two guesses from each of three addresses: no address alone is throttled
        login(client, owner.username, "guess", ip=f"198.51.100.{index // 2}")
    assert THROTTLED in login(client, owner.username, ip="198.51.100.77").get_data(as_text=True)
    assert login(client, owner.username, ip="192.168.1.20").status_code == 302  # usual address, right password


def test_behind_a_proxy_the_forwarded_address_is_counted(make_app, db, make_user, small_limits):
    user = make_user(Role.OFFICER)
    db.session.commit()
    client = make_app(PIPELINE_PROXY_HOPS=1, LOGIN_FREE_FAILURES=2).test_client()
    client.post("/login", data={"username": user.username, "password": "bad"},
                headers={"X-Forwarded-For": "203.0.113.50"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    ips = set(db.session.scalars(select(LoginThrottle.ip)))
    assert ips == {"203.0.113.50", ""}


def test_the_admin_sees_and_clears_throttles(client, db, login_as, make_user, small_limits):
    user = make_user(Role.OFFICER)
    db.session.commit()
    for _ in range(3):
        login(client, user.username, "bad", ip="203.0.113.9")
    assert THROTTLED in login(client, user.username, ip="203.0.113.9").get_data(as_text=True)
    login_as(Role.ADMIN)
    page = client.get("/admin/login-throttles/").get_data(as_text=True)
    assert user.username in page and "203.0.113.9" in page and "账号 + 地址" in page
    row = db.session.scalar(select(LoginThrottle.id).where(LoginThrottle.scope == "account_address"))
    assert client.post(f"/admin/login-throttles/{row}/clear").status_code == 302
    assert client.post(f"/admin/login-throttles/{row}/clear").status_code == 404
    client.post("/logout")
    assert login(client, user.username, ip="203.0.113.9").status_code == 302


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER])
def test_only_the_admin_may_see_throttles(client, db, login_as, role):
    login_as(role)
    assert client.get("/admin/login-throttles/").status_code == 403
