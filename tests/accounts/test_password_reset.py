"""忘记密码: a one-time link by mail (30 min), the same answer for unknown accounts, throttled; a forced change of a
CLI-made password at the first login."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pipeline.accounts.models import TokenPurpose
from pipeline.accounts.passwords import request_password_reset
from pipeline.accounts.services import set_password_with_token
from pipeline.audit.models import AuditEvent
from pipeline.auth.models import Role, User
from pipeline.auth.services import UserError
from pipeline.auth.throttle import throttle_policy
from pipeline.mail.models import OutboxMessage
from tests.accounts.conftest import LINK, NEW_PASSWORD, form_login

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _mails(db):
    db.session.expire_all()
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def test_known_and_unknown_accounts_get_the_same_page(client, db, make_user):
    make_user(Role.FIRM, username="zhangwei", email="zhang@firm.example.cn")
    db.session.commit()
    known = client.post("/account/forgot", data={"identifier": "zhang@firm.example.cn"})
    unknown = client.post("/account/forgot", data={"identifier": "nobody@firm.example.cn"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: r.get_data(as_text=True).split('name="csrf_token"')[0]  # noqa: E731
    assert strip(known) == strip(unknown)
    assert _mails(db) == 1


def test_a_firm_contact_resets_a_forgotten_password_and_other_sessions_end(app, client, db, make_user, last_link):
    user = make_user(Role.FIRM, username="zhangwei", email="zhang@firm.example.cn")
    db.session.commit()
    elsewhere = app.test_client()
    form_login(elsewhere, "zhangwei")
    client.post("/account/forgot", data={"identifier": "ZhangWei"})
    path = last_link("zhang@firm.example.cn")
    assert client.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert elsewhere.get("/portal/").status_code == 302  # the other session has ended
    assert client.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 404  # used once
    assert form_login(client, "zhangwei", NEW_PASSWORD).status_code == 302
    kinds = [e.kind for e in db.session.scalars(select(AuditEvent).where(AuditEvent.target_user_id == user.id))]
    assert kinds == ["login", "password_reset_requested", "password_reset", "login"]


def test_a_reset_link_expires_after_30_minutes(app, db, make_user):
    make_user(Role.OFFICER, username="wang", email="wang@example.cn")
    request_password_reset("wang", "10.0.0.1", NOW, policy=throttle_policy(app))
    token = LINK.search(db.session.scalar(select(OutboxMessage.text_body))).group(1).rsplit("/", 1)[1]
    with pytest.raises(UserError, match="链接无效或已过期"):
        set_password_with_token(token, TokenPurpose.RESET, NEW_PASSWORD, NOW + timedelta(minutes=30), min_length=6)
    set_password_with_token(token, TokenPurpose.RESET, NEW_PASSWORD, NOW + timedelta(minutes=29), min_length=6)


def test_a_new_reset_link_replaces_the_older_one(app, db, make_user):
    make_user(Role.OFFICER, username="wang", email="wang@example.cn")
    for minute in (0, 1):
        request_password_reset("wang", "10.0.0.1", NOW + timedelta(minutes=minute), policy=throttle_policy(app))
    first, second = (LINK.search(m).group(1).rsplit("/", 1)[1]
                     for m in db.session.scalars(select(OutboxMessage.text_body).order_by(OutboxMessage.id)))
    with pytest.raises(UserError):
        set_password_with_token(first, TokenPurpose.RESET, NEW_PASSWORD, NOW + timedelta(minutes=2), min_length=6)
    set_password_with_token(second, TokenPurpose.RESET, NEW_PASSWORD, NOW + timedelta(minutes=2), min_length=6)


def test_requests_are_throttled_whether_or_not_the_account_exists(app, db, make_user):
    make_user(Role.OFFICER, username="wang", email="wang@example.cn")
    policy = throttle_policy(app)
    for start, name in ((0, "wang"), (100, "ghost")):
        for attempt in range(policy.free):
            request_password_reset(name, "10.0.0.1", NOW + timedelta(seconds=start + attempt), policy=policy)
        with pytest.raises(UserError, match="请求过于频繁"):
            request_password_reset(name, "10.0.0.1", NOW + timedelta(seconds=start + 10), policy=policy)
    assert _mails(db) == policy.free  # only the real account's requests sent mail


def test_a_disabled_account_gets_no_reset_mail(app, db, make_user):
    make_user(Role.OFFICER, username="wang", email="wang@example.cn", active=False)
    request_password_reset("wang", "10.0.0.1", NOW, policy=throttle_policy(app))
    assert _mails(db) == 0


def test_a_cli_made_account_must_change_its_password_at_first_login(client, runner, db):
    result = runner.invoke(args=["users", "create", "--role", "officer", "--username", "first", "--password-stdin"],
                           input="Temporary-Pass-2026\n")
    assert result.exit_code == 0, result.output
    assert form_login(client, "first", "Temporary-Pass-2026").status_code == 302
    response = client.get("/funnel/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    assert "首次登录请先修改密码" in client.get("/account/password").get_data(as_text=True)
    client.post("/account/password", data={"current": "Temporary-Pass-2026", "new": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD})
    assert client.get("/funnel/").status_code == 200
    assert not db.session.scalar(select(User.must_change_password).where(User.username == "first"))


def test_permanent_cli_password_is_not_forced(runner, db):
    runner.invoke(args=["users", "create", "--role", "officer", "--username", "second", "--password-stdin",
                        "--permanent"], input="Temporary-Pass-2026\n")
    assert db.session.scalar(select(User.must_change_password).where(User.username == "second")) is False
