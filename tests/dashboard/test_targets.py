"""The admin sets annual targets, county-wide and per town; bad input changes nothing."""

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.dashboard.models import AnnualTarget
from pipeline.funnel.models import Track


def _tracks(db):
    return {track.code: track for track in db.session.scalars(select(Track))}


def _targets(db, year):
    return {(row.track_id, row.town_id): row.target
            for row in db.session.scalars(select(AnnualTarget).where(AnnualTarget.year == year))}


def test_admin_sets_county_and_town_targets(client, login_as, db, make_town):
    town = make_town("南明街道")
    db.session.commit()
    admin = login_as(Role.ADMIN)
    tracks = _tracks(db)
    hnte, sme = tracks["hnte"].id, tracks["tech_sme"].id
    page = client.get("/admin/targets/?year=2026").get_data(as_text=True)
    assert "2026 年度新增认定目标" in page and "南明街道" in page
    response = client.post("/admin/targets/?year=2026", data={f"t_{hnte}_0": "25", f"t_{sme}_0": " 80 ",
                                                              f"t_{hnte}_{town.id}": "10"})
    assert response.status_code == 302
    assert _targets(db, 2026) == {(hnte, None): 25, (sme, None): 80, (hnte, town.id): 10}
    row = db.session.scalar(select(AnnualTarget).where(AnnualTarget.town_id == town.id))
    assert row.updated_by_id == admin.id
    page = client.get("/admin/targets/?year=2026").get_data(as_text=True)
    assert 'value="25"' in page and "与全县目标不一致" in page
    # clearing a field (browsers send it empty) removes that target; other years are untouched
    client.post("/admin/targets/?year=2026", data={f"t_{hnte}_0": "30", f"t_{sme}_0": "80", f"t_{hnte}_{town.id}": ""})
    assert _targets(db, 2026) == {(hnte, None): 30, (sme, None): 80}
    assert _targets(db, 2025) == {}


def test_bad_numbers_change_nothing(client, login_as, db):
    login_as(Role.ADMIN)
    hnte = _tracks(db)["hnte"].id
    client.post("/admin/targets/?year=2026", data={f"t_{hnte}_0": "25"})
    for bad in ("-3", "abc", "1.5", "9999999"):
        response = client.post("/admin/targets/?year=2026", data={f"t_{hnte}_0": bad})
        assert response.status_code == 200
        assert "请输入 0 到 999999 之间的整数" in response.get_data(as_text=True)
    assert _targets(db, 2026) == {(hnte, None): 25}


def test_year_out_of_range_is_404(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/admin/targets/?year=1900").status_code == 404
    assert client.get("/admin/targets/?year=abc").status_code == 200  # not a number: this year
