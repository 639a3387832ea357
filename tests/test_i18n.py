from pipeline.auth.models import Role


def test_chinese_is_the_default(client):
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_switch_to_english_and_back(client):
    client.post("/language", data={"language": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page and 'lang="en"' in page
    client.post("/language", data={"language": "zh", "next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_browser_language_is_used_when_nothing_was_chosen(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Log in" in page


def test_language_is_remembered_per_user(app, client, login_as, db):
    user = login_as(Role.OFFICER)
    client.post("/language", data={"language": "en", "next": "/funnel/"})
    db.session.refresh(user)
    assert user.locale == "en"
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = user.session_token
    assert "Cultivation board" in other.get("/funnel/").get_data(as_text=True)


def test_language_switch_refuses_unknown_language_and_foreign_next(client):
    response = client.post("/language", data={"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
