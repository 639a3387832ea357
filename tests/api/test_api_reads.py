"""What the API reads: keyset pages that walk every row once, updated_since, contacts only with their scope, each
endpoint's shape, and bad parameters as 400 (never 500)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.indicators.models import FirmFacts, FirmYear
from tests.api.conftest import bearer

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def walk(client, path: str, token: str, **params) -> list[dict]:
    """Every item of a list, page after page."""
    items, cursor, pages = [], None, 0
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, headers=bearer(token), query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        items += response.json["items"]
        cursor, pages = response.json["next_cursor"], pages + 1
        if cursor is None:
            return items
        assert pages < 100


@pytest.fixture
def seven_firms(make_firm, db):
    # Three share one updated_at: the id breaks the tie across page boundaries.
    times = [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=1), T0 + timedelta(hours=1), T0 + timedelta(hours=2),
             T0 - timedelta(days=3), T0 + timedelta(days=1)]
    firms = [make_firm(updated_at=at, contact_name="王经理", contact_phone="13800000000") for at in times]
    db.session.commit()
    return firms


def test_pages_walk_every_firm_exactly_once_in_change_order(client, make_api_client, seven_firms):
    _, token = make_api_client()
    items = walk(client, "/api/v1/firms", token, limit=2)
    assert sorted(item["id"] for item in items) == sorted(firm.id for firm in seven_firms)
    assert len(items) == 7
    keys = [(item["updated_at"], item["id"]) for item in items]
    assert keys == sorted(keys)


def test_updated_since_returns_only_later_changes(client, make_api_client, seven_firms):
    _, token = make_api_client()
    since = (T0 + timedelta(hours=1)).astimezone(UTC).isoformat()
    items = walk(client, "/api/v1/firms", token, limit=1, updated_since=since)
    assert {item["id"] for item in items} == {seven_firms[4].id, seven_firms[6].id}
    # the same instant in Beijing time
    local = (T0 + timedelta(hours=9)).isoformat().replace("+00:00", "+08:00")
    assert len(walk(client, "/api/v1/firms", token, updated_since=local)) == 2


def test_contacts_only_with_the_contacts_scope(client, make_api_client, seven_firms):
    firm = seven_firms[0]
    _, without = make_api_client(scopes=["firms"])
    _, with_contacts = make_api_client(scopes=["firms", "contacts"], name="有联系人")
    plain = client.get(f"/api/v1/firms/{firm.credit_code}", headers=bearer(without)).json
    assert "contact" not in plain and "13800000000" not in str(plain)
    assert all("contact" not in item for item in walk(client, "/api/v1/firms", without))
    full = client.get(f"/api/v1/firms/{firm.credit_code.lower()}", headers=bearer(with_contacts)).json
    assert full["contact"] == {"name": "王经理", "phone": "13800000000", "email": firm.contact_email}
    assert full["credit_code"] == firm.credit_code and full["town"] == "南明街道"


def test_unknown_firm_and_record_are_404_in_json(client, make_api_client):
    _, token = make_api_client()
    for path in ("/api/v1/firms/91330000000000000X", "/api/v1/records/999999/history",
                 "/api/v1/records/abc/history", "/api/v1/records/99999999999999/history"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 404, path
        assert response.json["error"] == "not_found"


@pytest.mark.parametrize("query, word", [
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=abc", "limit"), ("limit=1&limit=2", "limit"),
    ("cursor=not-a-cursor", "cursor"), ("cursor=WyJ4IiwxXQ", "cursor"), ("cursor=" + "x" * 300, "cursor"),
    ("updated_since=2026-12-01T00:00:00", "updated_since"), ("updated_since=yesterday", "updated_since"),
    ("updated_since=0001-01-01T00:00:00%2B14:00", "updated_since"),
])
def test_bad_query_parameters_are_400_with_a_chinese_message(client, make_api_client, query, word):
    _, token = make_api_client()
    response = client.get(f"/api/v1/firms?{query}", headers=bearer(token))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"] == "bad_request"
    assert word in response.json["message"]


def test_targets_need_a_year_in_range(client, make_api_client):
    _, token = make_api_client()
    for query in ("", "?year=abc", "?year=1999", "?year=2101"):
        response = client.get(f"/api/v1/targets{query}", headers=bearer(token))
        assert response.status_code == 400 and "year" in response.json["message"]


def test_records_with_track_and_stage_and_their_history(client, make_api_client, make_firm, place_firm, db):
    firm, other = make_firm(), make_firm()
    record = place_firm(firm, "tech_sme", Stage.CULTIVATING, now=T0)
    place_firm(other, "hnte", Stage.SCREENING, now=T0 + timedelta(days=1))
    db.session.commit()
    _, token = make_api_client()
    records = walk(client, "/api/v1/records", token)
    assert {(r["credit_code"], r["track"], r["stage"]) for r in records} == {
        (firm.credit_code, "tech_sme", "cultivating"), (other.credit_code, "hnte", "screening")}
    only = walk(client, "/api/v1/records", token, track="hnte")
    assert [r["credit_code"] for r in only] == [other.credit_code]
    moves = walk(client, f"/api/v1/records/{record.id}/history", token, limit=1)
    assert [(m["from_stage"], m["to_stage"]) for m in moves] == [
        (None, "screening"), ("screening", "pool"), ("pool", "cultivating")]
    assert all(m["record_id"] == record.id for m in moves)
    later = walk(client, "/api/v1/records", token, updated_since=(T0 + timedelta(hours=12)).isoformat())
    assert [r["credit_code"] for r in later] == [other.credit_code]


def test_certificates_and_changes_to_them(client, make_api_client, make_firm, place_firm, db):
    from pipeline.certificates.models import Certificate

    firm = make_firm()
    place_firm(firm, "tech_sme", Stage.POOL, now=T0)
    db.session.commit()
    _, token = make_api_client()
    [certificate] = walk(client, "/api/v1/certificates", token)
    assert certificate["credit_code"] == firm.credit_code and certificate["status"] == "valid"
    assert certificate["changed_at"] == certificate["issued_at"]
    mark = datetime.fromisoformat(certificate["changed_at"]) + timedelta(seconds=1)
    assert walk(client, "/api/v1/certificates", token, updated_since=mark.isoformat()) == []
    row = db.session.get(Certificate, certificate["id"])
    row.status, row.revoked_at = "revoked", mark + timedelta(minutes=5)
    db.session.commit()
    [changed] = walk(client, "/api/v1/certificates", token, updated_since=mark.isoformat())
    assert changed["status"] == "revoked" and changed["changed_at"] == changed["revoked_at"]


def test_indicators_are_the_bureaus_figures(client, make_api_client, make_firm, db):
    firm = make_firm()
    amounts = dict(sales=Decimal("1234.50"), cost_expense=Decimal("800"), rd=Decimal("60.25"), rd_domestic=Decimal("60"),
                   total_assets=Decimal("3000"), net_assets=Decimal("1500"), total_revenue=Decimal("1300"),
                   high_tech_revenue=Decimal("900"))
    db.session.add_all([
        FirmYear(firm_id=firm.id, source="official", fiscal_year=2025, employees=80, tech_staff=20, updated_at=T0,
                 **amounts),
        FirmYear(firm_id=firm.id, source="firm", status="pending", fiscal_year=2025, employees=99, tech_staff=20,
                 updated_at=T0, **amounts),
        FirmFacts(firm_id=firm.id, source="official", ip_class_i=2, hnte_domain="电子信息", updated_at=T0),
    ])
    db.session.commit()
    _, token = make_api_client()
    [year] = walk(client, "/api/v1/indicators/years", token)
    assert (year["credit_code"], year["fiscal_year"], year["employees"], year["sales"]) == (
        firm.credit_code, 2025, 80, "1234.50")
    [facts] = walk(client, "/api/v1/indicators/facts", token)
    assert (facts["ip_class_i"], facts["hnte_domain"]) == (2, "电子信息")


def test_targets_status_reads_the_same_figures_as_the_cli(client, make_api_client, runner):
    import json

    _, token = make_api_client()
    answer = client.get("/api/v1/targets?year=2026", headers=bearer(token)).json
    printed = json.loads(runner.invoke(args=["targets", "status", "--year", "2026", "--json"]).output)
    assert {item["track"]: {k: item[k] for k in printed[item["track"]]} for item in answer["tracks"]} == printed
    assert answer["year"] == 2026 and answer["tracks"]



def test_a_client_reads_only_the_counties_of_its_authority(client, make_firm, make_user, db):
    from pipeline.api.services import create_client
    from pipeline.firms.models import Industry, Town
    from pipeline.tenancy.models import Authority

    admin, ours = make_user(Role.ADMIN), make_firm()  # county 1, while it is the only county
    db.session.add_all([Authority(id=2, level="city", name="绍兴市"),
                        Authority(id=3, parent_id=2, level="county", name="嵊州市", code="330683")])
    db.session.flush()
    theirs = make_firm(town=Town(name="甘霖镇", county_id=3), industry=Industry(name="轴承", county_id=3), county_id=3)
    tokens = {authority: create_client(f"平台{authority}", authority, ["firms"], actor=admin).token
              for authority in (1, 2, 3)}
    db.session.commit()
    seen = {authority: [item["credit_code"] for item in walk(client, "/api/v1/firms", token)]
            for authority, token in tokens.items()}
    assert seen == {1: [ours.credit_code], 2: [theirs.credit_code], 3: [theirs.credit_code]}
    assert client.get(f"/api/v1/firms/{ours.credit_code}", headers=bearer(tokens[3])).status_code == 404
    assert client.get(f"/api/v1/firms/{theirs.credit_code}", headers=bearer(tokens[1])).status_code == 404
