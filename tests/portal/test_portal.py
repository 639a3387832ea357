"""The firms' portal: its own firm only, friendly words, contact details; another firm is 404 through every URL."""

import re

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.firms.models import FirmEdit
from pipeline.funnel.models import FirmTrack


@pytest.fixture
def two_firms(db, login_as, make_firm, place_firm):
    mine = make_firm(name="本企业有限公司", contact_name="周丽")
    theirs = make_firm(name="别家企业有限公司")
    place_firm(mine, "tech_sme", Stage.CULTIVATING)
    place_firm(mine, "hnte", Stage.SCREENING)
    place_firm(theirs, "tech_sme", Stage.CERTIFIED)
    place_firm(theirs, "hnte", Stage.POOL)
    user = login_as(Role.FIRM, firm=mine)
    return mine, theirs, user


def test_portal_shows_the_own_firm_in_friendly_words(client, two_firms):
    mine, theirs, _ = two_firms
    html = client.get("/portal/").get_data(as_text=True)
    assert "本企业有限公司" in html and "别家企业有限公司" not in html
    assert "已入库，培育中" in html and "已列入遴选名单，待入库" in html
    assert "cultivating" not in re.sub(r'class="[^"]*"', "", html)  # no internal codes in the text
    assert "培育历程" in html and "下一个截止日期" in html and "联系方式" in html


def test_portal_json_has_only_the_own_firm(client, two_firms):
    mine, theirs, _ = two_firms
    body = client.get("/portal/status.json").get_json()
    assert body["firm"] == {"name": mine.name, "credit_code": mine.credit_code}
    assert {t["track"]: t["status"] for t in body["tracks"]} == {"tech_sme": "已入库，培育中",
                                                                  "hnte": "已列入遴选名单，待入库"}
    assert theirs.credit_code not in str(body)


def test_firm_updates_its_contact_details_and_the_change_is_logged(client, db, two_firms):
    mine, _, user = two_firms
    response = client.post("/portal/contact", data={"contact_name": "吴强", "contact_phone": "13900000000",
                                                    "contact_email": "wu@example.com"})
    assert response.status_code == 302
    edits = {e.field: e for e in db.session.scalars(select(FirmEdit).where(FirmEdit.firm_id == mine.id))}
    assert set(edits) == {"contact_name", "contact_phone", "contact_email"}
    assert (edits["contact_name"].old_value, edits["contact_name"].new_value, edits["contact_name"].user_id) == (
        "周丽", "吴强", user.id)
    response = client.post("/portal/contact", data={"contact_name": "", "contact_phone": "1",
                                                    "contact_email": "not-an-email"})
    assert response.status_code == 200 and "邮箱格式不正确" in response.get_data(as_text=True)


def test_firm_user_cannot_change_its_stage(client, db, two_firms, track_by_code):
    mine, _, _ = two_firms
    for headers in ({}, {"Accept": "application/json"}):
        response = client.post(f"/funnel/firms/{mine.id}/tech_sme/move", data={"to": "removed",
                                                                              "reason_code": "withdrawn"},
                               headers=headers)
        assert response.status_code == 404
    assert db.session.scalar(select(FirmTrack.stage).where(FirmTrack.firm_id == mine.id,
                                                           FirmTrack.track_id == track_by_code("tech_sme").id)) \
        is Stage.CULTIVATING


def urls_with_ids(app, firm_id: int):
    """Every URL of the app that takes an argument: integers get another firm's id, strings a track code."""
    urls = []
    for rule in app.url_map.iter_rules():
        # The API (/api/v1) knows no sessions: without its bearer token every URL is a 401 (tests/api).
        if not rule.arguments or rule.endpoint == "static" or rule.endpoint.startswith("api."):
            continue
        values = {name: firm_id if isinstance(rule._converters.get(name), IntegerConverter) else "tech_sme"
                  for name in rule.arguments}
        url = rule.build(values, append_unknown=False)[1]
        urls.append((url, sorted(rule.methods - {"HEAD", "OPTIONS"})))
    return urls


def test_another_firm_is_404_through_every_url(app, client, two_firms):
    _, theirs, _ = two_firms
    urls = urls_with_ids(app, theirs.id)
    assert {f"/firms/{theirs.id}", f"/funnel/firms/{theirs.id}/tech_sme/move"} <= {url for url, _ in urls}
    for url, methods in urls:
        for method in methods:
            for headers in ({}, {"Accept": "application/json"}):
                response = client.open(url, method=method, headers=headers, data={"to": "pool"})
                body = response.get_data(as_text=True)
                assert response.status_code == 404, (method, url, response.status_code)
                assert theirs.name not in body and theirs.credit_code not in body


def test_staff_pages_are_404_for_firm_users_even_without_ids(client, two_firms):
    for url in ("/firms/", "/funnel/", "/funnel/bulk", "/firms/new", "/admin/funnel/tracks"):
        assert client.get(url).status_code == 404


def test_staff_are_404_in_the_portal(client, login_as):
    login_as(Role.OFFICER)
    for url in ("/portal/", "/portal/status.json", "/portal/contact"):
        assert client.get(url).status_code == 404
