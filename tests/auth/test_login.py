
import pytest
from sqlalchemy import select

from pipeline.auth.models import Role, User
from tests.conftest import PASSWORD


def login(client, username, password=PASSWORD, next_url=""):
    return client.post("/login", data={"username": username, "password": password, "next": next_url})


def test_login_and_logout(client, make_user, db):
    user = make_user(Role.OFFICER)
    db.session.commit()
    response = login(client, user.username)
    assert response.status_code == 302
    assert client.get("/funnel/").status_code == 200
    client.post("/logout")
    assert client.get("/funnel/").status_code == 302


def test_wrong_password_and_unknown_user_get_the_same_answer(client, make_user, db):
    user = make_user(Role.OFFICER)
    db.session.commit()
    wrong = login(client, user.username, "wrong-password").get_data(as_text=True)
    unknown = login(client, "nobody-here", "wrong-password").get_data(as_text=True)
    assert "用户名或密码错误" in wrong and "用户名或密码错误" in unknown
    assert client.get("/funnel/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
                                    "http:/evil.example"])
def test_next_refuses_other_sites(client, make_user, db, target):
    user = make_user(Role.OFFICER)
    db.session.commit()
    response = login(client, user.username, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/workbench/"  # the officer's landing page


def test_next_allows_a_path_on_this_site(client, make_user, db):
    user = make_user(Role.OFFICER)
    db.session.commit()
    assert login(client, user.username, next_url="/firms/?town=1").headers["Location"] == "/firms/?town=1"


def test_logout_ends_the_session_on_the_server(app, client, make_user, db):
    user = make_user(Role.OFFICER)
    db.session.commit()
    login(client, user.username)
    with client.session_transaction() as stolen:
        copied = dict(stolen)
    client.post("/logout")
    other = app.test_client()
    with other.session_transaction() as session:
        session.update(copied)
    assert other.get("/funnel/").status_code == 302  # a copy of the old cookie no longer works


def test_password_change_ends_other_sessions(app, client, make_user, db):
    user = make_user(Role.OFFICER)
    db.session.commit()
    other = app.test_client()
    login(client, user.username)
    login(other, user.username)
    response = client.post("/account/password", data={"current": PASSWORD, "new": "a-new-long-password",
                                                       "confirm": "a-new-long-password"})
    assert response.status_code == 302
    assert client.get("/funnel/").status_code == 200
    assert other.get("/funnel/").status_code == 302
    assert login(app.test_client(), user.username, "a-new-long-password").status_code == 302


def test_password_change_refuses_wrong_current_password(client, login_as, db):
    user = login_as(Role.OFFICER)
    before = user.password_hash
    page = client.post("/account/password", data={"current": "nope", "new": "a-new-long-password",
                                                   "confirm": "a-new-long-password"}).get_data(as_text=True)
    assert "当前密码不正确" in page
    assert db.session.scalar(select(User.password_hash).where(User.id == user.id)) == before


def test_passwords_are_hashed_with_argon2id(make_user, db):
    from pipeline.auth.services import create_user

    user = create_user("hash-check", Role.ADMIN, "long-enough-password")
    assert user.password_hash.startswith("$argon2id$")
    params = dict(p.split("=") for p in user.password_hash.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2


def test_session_cookie_is_httponly_and_lax(client, make_user, db):
    user = make_user(Role.OFFICER)
    db.session.commit()
    cookie = login(client, user.username).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
