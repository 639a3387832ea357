"""Who may call the API: bearer tokens (missing, bad, revoked → 401), scopes (→ 403), hashing at rest, the rate
limit (→ 429) and the call log."""

from __future__ import annotations

import hashlib

from sqlalchemy import select, text

from pipeline.api.models import ApiCall, ApiClient, ApiRateWindow
from pipeline.auth.models import Role
from tests.api.conftest import bearer


def test_missing_token_is_401_in_json_with_a_chinese_message(client, make_firm, db):
    make_firm()
    db.session.commit()
    response = client.get("/api/v1/firms")
    assert response.status_code == 401
    assert response.is_json and response.json["error"] == "unauthorized"
    assert "令牌" in response.json["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_and_other_schemes_are_401(client, make_api_client):
    _, token = make_api_client()
    for headers in (bearer(token + "x"), bearer(""), {"Authorization": f"Basic {token}"}, {"Authorization": token}):
        assert client.get("/api/v1/firms", headers=headers).status_code == 401


def test_valid_token_reads_and_revoked_token_is_401(client, make_api_client, make_user, db):
    from pipeline.api.services import revoke_client

    api_client, token = make_api_client()
    assert client.get("/api/v1/firms", headers=bearer(token)).status_code == 200
    revoke_client(db.session.get(ApiClient, api_client.id), actor=make_user(Role.ADMIN))
    db.session.commit()
    response = client.get("/api/v1/firms", headers=bearer(token))
    assert response.status_code == 401 and response.json["error"] == "unauthorized"


def test_missing_scope_is_403(client, make_api_client):
    _, token = make_api_client(scopes=["firms"])
    assert client.get("/api/v1/firms", headers=bearer(token)).status_code == 200
    for path in ("/api/v1/records", "/api/v1/indicators/years", "/api/v1/indicators/facts", "/api/v1/certificates",
                 "/api/v1/targets?year=2026", "/api/v1/records/1/history"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 403, path
        assert response.json["error"] == "forbidden" and "读取范围" in response.json["message"]


def test_token_is_stored_only_as_its_hash(make_api_client, db):
    api_client, token = make_api_client()
    assert token.startswith("ppl_") and len(token) > 40
    row = db.session.execute(text("SELECT * FROM api_client WHERE id = :id"), {"id": api_client.id}).mappings().one()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token[:12] == row["token_prefix"]
    assert not any(token in str(value) for value in row.values())
    assert not any(token[12:] in str(value) for value in row.values())


def test_over_the_rate_limit_is_429_with_retry_after_until_the_next_minute(make_app, make_api_client, db):
    _, token = make_api_client()
    limited = make_app(PIPELINE_API_RATE_LIMIT=2).test_client()
    statuses = [limited.get("/api/v1/firms", headers=bearer(token)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = limited.get("/api/v1/firms", headers=bearer(token))
    assert response.status_code == 429 and response.json["error"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    windows = db.session.scalars(select(ApiRateWindow)).all()
    assert [window.calls for window in windows] == [4]  # one row per client and minute, shared by every worker


def test_rate_window_of_a_past_minute_does_not_count(make_app, make_api_client, db):
    from datetime import timedelta

    from pipeline.db import utcnow

    api_client, token = make_api_client()
    start = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
    db.session.add(ApiRateWindow(client_id=api_client.id, window_start=start, calls=99))
    db.session.commit()
    limited = make_app(PIPELINE_API_RATE_LIMIT=2).test_client()
    assert limited.get("/api/v1/firms", headers=bearer(token)).status_code == 200


def test_every_call_is_logged_with_client_method_path_status(client, make_api_client, db):
    api_client, token = make_api_client(scopes=["firms"])
    client.get("/api/v1/firms?limit=5", headers=bearer(token))
    client.get("/api/v1/records", headers=bearer(token))
    client.get("/api/v1/firms")
    calls = db.session.scalars(select(ApiCall).order_by(ApiCall.id)).all()
    assert [(c.client_id, c.method, c.path, c.status) for c in calls] == [
        (api_client.id, "GET", "/api/v1/firms?limit=5", 200),
        (api_client.id, "GET", "/api/v1/records", 403),
        (None, "GET", "/api/v1/firms", 401),
    ]
    assert all(call.at is not None for call in calls)
    assert db.session.get(ApiClient, api_client.id).last_used_at is not None


def test_openapi_document_is_served_and_no_documentation_ui_loads_from_a_cdn(app, client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200 and document.json["openapi"].startswith("3.")
    assert "/api/v1/firms" in document.json["paths"] and "bearer" in document.json["components"]["securitySchemes"]
    assert "/api/v1/openapi.json" not in document.json["paths"]
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    assert not [rule for rule in rules if "swagger" in rule or "redoc" in rule or "scalar" in rule]


def test_a_request_reads_in_the_clients_scope_and_leaves_it(client, make_user, db, monkeypatch):
    import pipeline.api.queries as queries
    from pipeline.api.cursor import Page
    from pipeline.api.services import create_client
    from pipeline.tenancy.models import Authority
    from pipeline.tenancy.scope import current_scope

    admin = make_user(Role.ADMIN)  # while county 1 is the only one: a new user's authority defaults to it
    db.session.add_all([Authority(id=2, level="city", name="绍兴市"),
                        Authority(id=3, parent_id=2, level="county", name="嵊州市", code="330683")])
    db.session.flush()
    token = create_client("市平台", 2, ["firms"], actor=admin).token
    db.session.commit()
    seen = []
    monkeypatch.setattr(queries, "read_page", lambda *args, **kwargs: seen.append(current_scope()) or Page([], None))
    assert client.get("/api/v1/firms", headers=bearer(token)).status_code == 200
    assert [(scope.restricted, scope.authority_ids, scope.county_ids) for scope in seen] == [
        (True, frozenset({2, 3}), frozenset({3}))]
    assert not current_scope().restricted


def test_a_control_character_in_the_path_is_a_json_400_and_still_logged(client, make_api_client, db):
    _, token = make_api_client()
    response = client.get("/api/v1/firms/%00x", headers=bearer(token))
    assert response.status_code == 400 and response.json["error"] == "bad_request"
    [call] = db.session.scalars(select(ApiCall)).all()
    assert (call.path, call.status) == ("/api/v1/firms/\ufffdx", 400)
