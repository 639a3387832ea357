"""Targets cascade (issue 24): the city sets its counties' county-wide targets, the counties set their towns'."""

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.dashboard.figures import build_track_figures
from pipeline.dashboard.models import AnnualTarget
from pipeline.funnel.models import Track
from pipeline.i18n import local_today, local_zone
from pipeline.tenancy.scope import county_scope, use_scope

URL = "/admin/targets/city/"


def log_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True


def track_ids(db):
    return {track.code: track.id for track in db.session.scalars(select(Track))}


def county_rows(db, county_id, year):
    with use_scope(county_scope(county_id), db.session):
        return {(row.track_id, row.town_id): (row.target, row.set_by_authority_id) for row in db.session.scalars(
            select(AnnualTarget).where(AnnualTarget.year == year, AnnualTarget.county_id == county_id))}


def test_city_admin_sets_a_county_target_that_the_county_reads_but_cannot_change(client, db, two_counties,
                                                                                   city_admin):
    city, first, second = two_counties["city"], two_counties["first"], two_counties["second"]
    year, sme = local_today().year, track_ids(db)["tech_sme"]
    log_in(client, city_admin)
    page = client.get(f"{URL}?year={year}").get_data(as_text=True)
    assert "各区县新增认定目标" in page and "嵊州市" in page and "本年新增 1" in page
    response = client.post(f"{URL}?year={year}", data={f"c_{second['county'].id}_{sme}": "7"})
    assert response.status_code == 302
    assert county_rows(db, second["county"].id, year) == {(sme, None): (7, city.id)}
    assert county_rows(db, first["county"].id, year) == {}

    # The county's page shows it read-only, and its figures count against it.
    county_admin = second["users"][Role.ADMIN]
    log_in(client, county_admin)
    page = client.get(f"/admin/targets/?year={year}").get_data(as_text=True)
    assert "由市科技局下达" in page and f'name="t_{sme}_0"' not in page
    with use_scope(county_scope(second["county"].id), db.session):
        assert build_track_figures(year, today=local_today(), zone=local_zone())["tech_sme"].target == 7

    # The county still sets its towns' targets; what it posts for the county-wide one is refused whole.
    town = second["town"].id
    assert client.post(f"/admin/targets/?year={year}", data={f"t_{sme}_{town}": "4"}).status_code == 302
    assert county_rows(db, second["county"].id, year) == {(sme, None): (7, city.id), (sme, town): (4, None)}
    response = client.post(f"/admin/targets/?year={year}", data={f"t_{sme}_0": "3", f"t_{sme}_{town}": "2"})
    assert response.status_code == 403
    assert "全县目标由市科技局下达，区县不能修改" in response.get_data(as_text=True)
    assert county_rows(db, second["county"].id, year) == {(sme, None): (7, city.id), (sme, town): (4, None)}


def test_city_withdraws_its_target_but_leaves_a_county_own_target_alone(client, db, two_counties, city_admin):
    city, first, second = two_counties["city"], two_counties["first"], two_counties["second"]
    ids = track_ids(db)
    sme, hnte = ids["tech_sme"], ids["hnte"]
    log_in(client, first["users"][Role.ADMIN])
    client.post("/admin/targets/?year=2026", data={f"t_{hnte}_0": "12"})
    assert county_rows(db, first["county"].id, 2026) == {(hnte, None): (12, None)}
    log_in(client, city_admin)
    page = client.get(f"{URL}?year=2026").get_data(as_text=True)
    assert "区县自定：12" in page
    client.post(f"{URL}?year=2026", data={f"c_{first['county'].id}_{sme}": "5", f"c_{second['county'].id}_{sme}": "6"})
    assert county_rows(db, first["county"].id, 2026) == {(hnte, None): (12, None), (sme, None): (5, city.id)}
    client.post(f"{URL}?year=2026", data={f"c_{first['county'].id}_{sme}": "", f"c_{second['county'].id}_{sme}": "6"})
    assert county_rows(db, first["county"].id, 2026) == {(hnte, None): (12, None)}
    assert county_rows(db, second["county"].id, 2026) == {(sme, None): (6, city.id)}
    # Setting a target where the county had its own: the city's replaces it, and the county's page locks it.
    client.post(f"{URL}?year=2026", data={f"c_{first['county'].id}_{hnte}": "20"})
    assert county_rows(db, first["county"].id, 2026) == {(hnte, None): (20, city.id)}


def test_city_leader_reads_but_cannot_set(client, db, two_counties, city_admin):
    second, sme = two_counties["second"], track_ids(db)["tech_sme"]
    log_in(client, city_admin)
    client.post(f"{URL}?year=2026", data={f"c_{second['county'].id}_{sme}": "9"})
    log_in(client, two_counties["city_leader"])
    response = client.get(f"{URL}?year=2026")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "嵊州市" in page and '<span class="target-value">9</span>' in page and "target-input" not in page
    assert client.post(f"{URL}?year=2026", data={f"c_{second['county'].id}_{sme}": "1"}).status_code == 403
    assert county_rows(db, second["county"].id, 2026) == {(sme, None): (9, two_counties["city"].id)}


def test_county_users_cannot_open_the_city_page(client, db, two_counties):
    second, sme = two_counties["second"], track_ids(db)["tech_sme"]
    for role in (Role.ADMIN, Role.LEADER, Role.OFFICER):
        log_in(client, second["users"][role])
        assert client.get(f"{URL}?year=2026").status_code == 404
        assert client.post(f"{URL}?year=2026", data={f"c_{second['county'].id}_{sme}": "1"}).status_code in (403, 404)
    log_in(client, second["users"][Role.FIRM])
    assert client.get(f"{URL}?year=2026").status_code == 404
    assert county_rows(db, second["county"].id, 2026) == {}


def test_bad_numbers_change_nothing_and_a_city_admin_is_sent_to_the_city_page(client, db, two_counties, city_admin):
    second, sme = two_counties["second"], track_ids(db)["tech_sme"]
    log_in(client, city_admin)
    for bad in ("-3", "abc", "1.5", "9999999"):
        response = client.post(f"{URL}?year=2026", data={f"c_{second['county'].id}_{sme}": bad})
        assert response.status_code == 200
        assert "请输入 0 到 999999 之间的整数" in response.get_data(as_text=True)
    assert county_rows(db, second["county"].id, 2026) == {}
    assert client.get(f"{URL}?year=1800").status_code == 404
    response = client.get("/admin/targets/?year=2026")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{URL}?year=2026")


def test_a_single_county_has_no_city_page_and_its_targets_page_is_unchanged(client, login_as, db):
    login_as(Role.ADMIN)
    sme = track_ids(db)["tech_sme"]
    assert client.get(f"{URL}?year=2026").status_code == 404
    page = client.get("/admin/targets/?year=2026").get_data(as_text=True)
    assert f'name="t_{sme}_0"' in page and "由市科技局下达" not in page


def test_both_pages_read_in_english(client, db, two_counties, city_admin):
    second, sme = two_counties["second"], track_ids(db)["tech_sme"]
    log_in(client, city_admin)
    client.post(f"{URL}?year=2026", data={f"c_{second['county'].id}_{sme}": "9"})
    client.post("/language", data={"language": "en", "next": "/"})
    page = client.get(f"{URL}?year=2026").get_data(as_text=True)
    assert "Counties' targets for new certifications in 2026" in page and "New this year: 1" in page
    log_in(client, second["users"][Role.ADMIN])
    client.post("/language", data={"language": "en", "next": "/"})
    page = client.get("/admin/targets/?year=2026").get_data(as_text=True)
    assert "Set by the city bureau" in page and "由市科技局下达" not in page
