import re

from pipeline.auth.models import Role
from tests.conftest import PASSWORD


def test_post_without_token_is_refused(make_app, make_user, db):
    user = make_user(Role.OFFICER)
    db.session.commit()
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "表单令牌无效" in response.get_data(as_text=True)


def test_post_with_token_is_accepted(make_app, make_user, db):
    user = make_user(Role.OFFICER)
    db.session.commit()
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 302
