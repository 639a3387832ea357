"""The admin manages users in the app: invitations by mail, edits, disable/enable; officers manage no staff."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pipeline.accounts.models import AccountToken, TokenPurpose
from pipeline.accounts.services import UserData, invite_user, send_invitation, set_password_with_token
from pipeline.audit.models import AuditEvent
from pipeline.auth.models import Role, User
from pipeline.auth.services import UserError
from pipeline.mail.models import OutboxMessage
from tests.accounts.conftest import NEW_PASSWORD, form_login

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _new_officer(client, **overrides):
    data = {"username": "wangkeyuan", "display_name": "王科员", "email": "wang@kjj.example.cn", "role": "officer",
            "firm_code": "", **overrides}
    return client.post("/admin/users/new", data=data)


def _kinds(db, user_id):
    return [e.kind for e in db.session.scalars(select(AuditEvent).where(AuditEvent.target_user_id == user_id)
                                               .order_by(AuditEvent.id))]


def test_admin_invites_an_officer_who_sets_a_password_from_the_mail(client, login_as, db, make_town, last_link):
    login_as(Role.ADMIN)
    town = make_town("羽林街道")
    db.session.commit()
    response = _new_officer(client, towns=[str(town.id)])
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "wangkeyuan"))
    assert [t.name for t in user.towns] == ["羽林街道"] and not user.password_hash.startswith("$argon2")
    message = db.session.scalar(select(OutboxMessage))
    assert message.subject.endswith("邀请您使用科技型企业梯队培育管理系统") and "72" not in message.subject
    token_path = last_link("wang@kjj.example.cn")
    assert token_path.rsplit("/", 1)[1] not in {t.token_hash for t in db.session.scalars(select(AccountToken))}
    client.post("/logout")
    assert form_login(client, "wangkeyuan", "anything-at-all").status_code == 200  # no password before the link
    assert client.get(token_path).status_code == 200
    response = client.post(token_path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(token_path).status_code == 404  # single use
    assert form_login(client, "wangkeyuan", NEW_PASSWORD).status_code == 302
    assert client.get("/funnel/").status_code == 200
    assert _kinds(db, user.id) == ["user_created", "invitation_sent", "password_set", "login"]


def test_the_invitation_reaches_a_real_smtp_server_in_chinese(app, client, login_as, db, smtp_server):
    from pipeline.mail.sender import send_queued_emails

    login_as(Role.ADMIN, display_name="李管理")
    _new_officer(client)
    with app.app_context():
        assert send_queued_emails(datetime.now(UTC) + timedelta(minutes=1)).sent == 1
    (message,) = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    assert message["To"].addresses[0].addr_spec == "wang@kjj.example.cn"
    assert "李管理为您开通了" in text and "用户名：wangkeyuan" in text and "/account/setup/" in text


def test_an_invitation_expires_after_72_hours(db, make_user):
    admin = make_user(Role.ADMIN)
    user = invite_user(UserData(Role.OFFICER, "王科员", "w@example.cn", username="w1"), by=admin, now=NOW)
    token = _token_of(db, user)
    with pytest.raises(UserError, match="链接无效或已过期"):
        set_password_with_token(token, TokenPurpose.INVITATION, NEW_PASSWORD, NOW + timedelta(hours=72), min_length=6)
    set_password_with_token(token, TokenPurpose.INVITATION, NEW_PASSWORD, NOW + timedelta(hours=71, minutes=59),
                            min_length=6)


def test_resending_makes_the_old_link_stop_working_and_revoke_ends_the_new_one(client, login_as, db, last_link):
    login_as(Role.ADMIN)
    _new_officer(client)
    user = db.session.scalar(select(User).where(User.username == "wangkeyuan"))
    first = last_link("wang@kjj.example.cn")
    assert client.post(f"/admin/users/{user.id}/invitation").status_code == 302
    second = last_link("wang@kjj.example.cn")
    assert first != second
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    client.post(f"/admin/users/{user.id}/invitation/revoke")
    assert client.get(second).status_code == 404
    assert "invitation_revoked" in _kinds(db, user.id)


def _token_of(db, user):
    # The raw token exists only in the mail: read it from the outbox.
    from tests.accounts.conftest import LINK

    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return LINK.search(message.text_body).group(1).rsplit("/", 1)[1]


def test_a_set_password_link_refuses_a_weak_password_and_stays_usable(client, db, make_user):
    admin = make_user(Role.ADMIN)
    invite_user(UserData(Role.OFFICER, "王科员", "w@example.cn", username="wangkeyuan"), by=admin, now=datetime.now(UTC))
    db.session.commit()
    path = f"/account/setup/{_token_of(db, admin)}"
    response = client.post(path, data={"new": "wangkeyuan1", "confirm": "wangkeyuan1"})
    assert response.status_code == 422 and "密码太容易被猜到" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("overrides", "message"), [
    ({"email": "not-an-email"}, "邮箱格式不正确"),
    ({"username": "has space"}, "用户名只能包含"),
    ({"role": "firm", "firm_code": "913306240000000000"}, "找不到统一社会信用代码"),
    ({"role": "firm"}, "企业用户必须填写"),
    ({"role": "emperor"}, "不是有效的选择"),
])
def test_bad_input_is_a_clear_message_and_nothing_is_created(client, login_as, db, overrides, message):
    login_as(Role.ADMIN)
    before = db.session.scalar(select(func.count(User.id)))
    response = _new_officer(client, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == before
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_taken_username_or_email_is_refused(client, login_as, db, make_user):
    login_as(Role.ADMIN)
    make_user(Role.OFFICER, username="wangkeyuan", email="old@example.cn")
    db.session.commit()
    assert "已存在" in _new_officer(client).get_data(as_text=True)
    assert "已被其他用户使用" in _new_officer(client, username="other", email="OLD@example.cn").get_data(as_text=True)


def test_admin_links_a_firm_user_to_a_firm_and_changes_a_role_audited(client, login_as, db, make_user, make_firm):
    login_as(Role.ADMIN)
    firm = make_firm()
    user = make_user(Role.OFFICER)
    db.session.commit()
    response = client.post(f"/admin/users/{user.id}", data={"display_name": "张伟", "email": user.email,
                                                            "role": "firm", "firm_code": firm.credit_code.lower()})
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.role, user.firm_id) == (Role.FIRM, firm.id)
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "user_updated"))
    assert event.details["role"] == ["officer", "firm"] and event.details["firm"] == ["", firm.credit_code]


def test_disabling_a_user_ends_their_session_at_once(app, client, login_as, db, make_user):
    victim = make_user(Role.OFFICER)
    db.session.commit()
    other = app.test_client()
    form_login(other, victim.username)
    assert other.get("/funnel/").status_code == 200
    login_as(Role.ADMIN)
    assert client.post(f"/admin/users/{victim.id}/disable").status_code == 302
    assert other.get("/funnel/").status_code == 302  # logged out on the next request
    assert form_login(other, victim.username).status_code == 200  # and cannot log in again
    client.post(f"/admin/users/{victim.id}/enable")
    assert form_login(other, victim.username).status_code == 302
    assert _kinds(db, victim.id)[-3:] == ["user_disabled", "user_enabled", "login"]


def test_an_admin_cannot_disable_or_demote_themself(client, login_as, db):
    admin = login_as(Role.ADMIN)
    client.post(f"/admin/users/{admin.id}/disable")
    response = client.post(f"/admin/users/{admin.id}", data={"display_name": "x", "email": admin.email,
                                                             "role": "officer"})
    assert response.status_code == 422 and "不能修改自己的角色" in response.get_data(as_text=True)
    db.session.expire_all()
    assert admin.active and admin.role is Role.ADMIN


def test_list_filters_by_role_state_town_and_text(client, login_as, db, make_user, make_town, make_firm):
    login_as(Role.ADMIN, username="root")
    town = make_town("羽林街道")
    make_user(Role.OFFICER, username="inyulin", towns=[town])
    make_user(Role.OFFICER, username="gone", active=False)
    make_user(Role.FIRM, username="firmuser", firm=make_firm(name="天姥轴承有限公司", town=town))
    db.session.commit()

    def names(query):
        page = client.get(f"/admin/users/?{query}").get_data(as_text=True)
        return {n for n in ("root", "inyulin", "gone", "firmuser") if f">{n}</a>" in page}

    assert names("") == {"root", "inyulin", "gone", "firmuser"}
    assert names("role=officer") == {"inyulin", "gone"}
    assert names("active=0") == {"gone"}
    assert names(f"town={town.id}") == {"inyulin", "firmuser"}
    assert names("q=天姥") == {"firmuser"}
    assert names("two_factor=1") == set()
    assert client.get("/admin/users/?town=abc&page=-3&role=x").status_code == 200


def test_resending_to_a_user_with_a_password_is_refused(db, make_user):
    admin, user = make_user(Role.ADMIN), make_user(Role.OFFICER)
    with pytest.raises(UserError, match="已设置密码"):
        send_invitation(user, by=admin, now=NOW)


def test_the_user_page_shows_the_saved_towns_ticked_and_an_empty_save_keeps_them(client, login_as, db, make_user,
                                                                                 make_town):
    login_as(Role.ADMIN)
    town = make_town("羽林街道")
    officer = make_user(Role.OFFICER, towns=[town], reports_monthly=True)
    db.session.commit()
    html = client.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    assert f'<input checked class="form-check-input" id="towns-0" name="towns" type="checkbox" value="{town.id}">' in html
    assert '<input checked class="form-check-input" id="reports_monthly"' in html
    client.post(f"/admin/users/{officer.id}")
    db.session.expire_all()
    assert [t.name for t in officer.towns] == ["羽林街道"] and officer.reports_monthly
