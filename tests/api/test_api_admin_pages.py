"""The admin's API client pages: the token shown once at creation, revoking with CSRF, the audit log, the gate."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pipeline.api.models import ApiClient
from pipeline.audit.models import AuditEvent
from pipeline.auth.models import Role
from tests.api.conftest import bearer


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def admin_with_csrf(make_app, make_user, db):
    """A new admin, and a test client of an app that checks CSRF tokens, logged in as that admin."""
    admin = make_user(Role.ADMIN)
    db.session.commit()
    web = make_app(WTF_CSRF_ENABLED=True).test_client()
    with web.session_transaction() as session:
        session["_user_id"], session["_fresh"] = admin.session_token, True
    return admin, web


def test_admin_creates_a_client_and_sees_its_token_once(admin_with_csrf, db):
    admin, web = admin_with_csrf
    form = web.get("/admin/api-clients/new").get_data(as_text=True)
    assert 'type="hidden" name="authority_id" value="1"' in form  # one county: no choice to make
    assert '<select class="form-select" id="authority_id"' not in form
    response = web.post("/admin/api-clients/new", data={
        "csrf_token": csrf_token(form), "name": "市科技局数据平台", "authority_id": "1", "scopes": ["firms", "records"]})
    assert response.status_code == 200
    token = re.search(r'value="(ppl_[^"]+)"', response.get_data(as_text=True)).group(1)
    client_row = db.session.scalar(select(ApiClient))
    assert (client_row.name, client_row.authority_id, client_row.scopes) == ("市科技局数据平台", 1, ["firms", "records"])
    assert client_row.created_by_id == admin.id
    listing = web.get("/admin/api-clients/").get_data(as_text=True)
    assert client_row.token_prefix in listing and token not in listing
    assert web.get("/api/v1/firms", headers=bearer(token)).status_code == 200


def test_revoking_needs_the_csrf_token_and_stops_the_token(admin_with_csrf, make_api_client, db):
    api_client, token = make_api_client()
    admin, web = admin_with_csrf
    listing = web.get("/admin/api-clients/").get_data(as_text=True)
    assert "data-confirm" in listing
    url = f"/admin/api-clients/{api_client.id}/revoke"
    assert web.post(url).status_code == 400
    assert db.session.get(ApiClient, api_client.id).revoked_at is None
    assert web.post(url, data={"csrf_token": csrf_token(listing)}).status_code == 302
    revoked = db.session.get(ApiClient, api_client.id)
    assert revoked.revoked_at is not None and revoked.revoked_by_id == admin.id
    assert web.get("/api/v1/firms", headers=bearer(token)).status_code == 401
    assert "已吊销" in web.get("/admin/api-clients/").get_data(as_text=True)


def test_creating_and_revoking_are_audit_events_on_the_audit_page(client, login_as, db):
    login_as(Role.ADMIN)
    client.post("/admin/api-clients/new", data={"name": "数据平台", "authority_id": "1", "scopes": ["targets"]})
    made = db.session.scalar(select(ApiClient))
    client.post(f"/admin/api-clients/{made.id}/revoke")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.kind.like("api_client_%"))
                                .order_by(AuditEvent.id)).all()
    assert [e.kind for e in events] == ["api_client_created", "api_client_revoked"]
    assert events[0].details["client"] == "数据平台" and events[0].details["scopes"] == ["targets"]
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "创建 API 客户端" in page and "吊销 API 客户端" in page


def test_a_client_needs_a_name_and_a_scope(client, login_as, db):
    login_as(Role.ADMIN)
    response = client.post("/admin/api-clients/new", data={"name": "", "authority_id": "1", "scopes": []})
    assert response.status_code == 200 and "请填写客户端名称" in response.get_data(as_text=True)
    response = client.post("/admin/api-clients/new", data={"name": "x", "authority_id": "1", "scopes": ["root"]})
    assert "ppl_" not in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiClient)) is None


def test_only_admins_reach_the_client_pages(client, login_as):
    login_as(Role.OFFICER)
    assert client.get("/admin/api-clients/").status_code == 403
    assert client.post("/admin/api-clients/new", data={"name": "x", "scopes": ["firms"]}).status_code == 403


def test_admin_menu_links_to_the_client_pages(client, login_as):
    login_as(Role.ADMIN)
    assert 'href="/admin/api-clients/"' in client.get("/admin/audit/").get_data(as_text=True)


def test_the_form_offers_the_authorities_when_there_are_several(client, login_as, db):
    from pipeline.tenancy.models import Authority

    db.session.add_all([Authority(id=2, level="city", name="绍兴市"),
                        Authority(id=3, parent_id=2, level="county", name="嵊州市", code="330683")])
    db.session.commit()
    login_as(Role.ADMIN, authority_id=2)  # the city's admin: the city and its county
    form = client.get("/admin/api-clients/new").get_data(as_text=True)
    assert '<select class="form-select" id="authority_id"' in form and "绍兴市" in form and "嵊州市" in form
    assert "本县" not in form
    client.post("/admin/api-clients/new", data={"name": "市平台", "authority_id": "2", "scopes": ["firms"]})
    assert db.session.scalar(select(ApiClient.authority_id)) == 2
    assert "绍兴市" in client.get("/admin/api-clients/").get_data(as_text=True)


def test_other_roles_do_not_reach_the_client_pages(client, login_as, make_api_client):
    api_client, _ = make_api_client()
    revoke = f"/admin/api-clients/{api_client.id}/revoke"
    assert client.get("/admin/api-clients/").status_code == 302  # anonymous: to the login
    for role, status in ((Role.LEADER, 403), (Role.FIRM, 404)):
        login_as(role)
        assert client.get("/admin/api-clients/").status_code == status
        assert client.post(revoke).status_code == status
    assert db_revoked_at(api_client.id) is None


def db_revoked_at(client_id: int):
    from pipeline.extensions import db

    return db.session.get(ApiClient, client_id).revoked_at


def test_a_county_admin_sees_and_revokes_only_its_own_clients(client, login_as, make_user, db):
    from pipeline.api.services import create_client
    from pipeline.tenancy.models import Authority

    ours_admin = make_user(Role.ADMIN)  # county 1, while it is the only county
    db.session.add_all([Authority(id=2, level="city", name="绍兴市"),
                        Authority(id=3, parent_id=2, level="county", name="嵊州市", code="330683")])
    db.session.flush()
    ours = create_client("本县平台", 1, ["firms"], actor=ours_admin).client
    theirs = create_client("嵊州平台", 3, ["firms"], actor=make_user(Role.ADMIN, authority_id=3)).client
    db.session.commit()
    login_as(user=ours_admin)
    listing = client.get("/admin/api-clients/").get_data(as_text=True)
    assert "本县平台" in listing and "嵊州平台" not in listing
    form = client.get("/admin/api-clients/new").get_data(as_text=True)
    assert "嵊州市" not in form and "绍兴市" not in form
    assert client.post(f"/admin/api-clients/{theirs.id}/revoke").status_code == 404
    assert db_revoked_at(theirs.id) is None
    assert client.post(f"/admin/api-clients/{ours.id}/revoke").status_code == 302
