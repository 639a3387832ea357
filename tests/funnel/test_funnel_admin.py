"""Admin settings: tracks are data, stale thresholds, officers' towns."""

from datetime import timedelta

from sqlalchemy import select

from pipeline.auth.models import Role, User
from pipeline.db import utcnow
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack, StageSetting, Track
from pipeline.i18n import local_today

# prov_sme is a track of migration 0017: the admin adds another one here (a city's own list).
PROVINCIAL = {"name": "市级科技型企业", "name_en": "City tech firm", "code": "city_tech", "short_name": "市科企",
              "validity_rule": "years", "validity_years": "5", "number_pattern": r"^ZJ{year}\d{4}$",
              "number_hint": "ZJ + 年份 + 4 位数字", "sort_order": "3", "active": "1"}


def test_admin_adds_a_track_and_firms_climb_it_without_code_changes(client, db, login_as, make_firm):
    login_as(Role.ADMIN)
    firm = make_firm()
    db.session.commit()
    assert client.post("/admin/funnel/tracks/new", data=PROVINCIAL).status_code == 302
    assert "市级科技型企业" in client.get("/funnel/").get_data(as_text=True)
    url = f"/funnel/firms/{firm.id}/city_tech/move"
    for to in ("screening", "pool", "cultivating"):
        assert client.post(url, data={"to": to}).status_code == 302
    record = db.session.scalar(select(FirmTrack).where(FirmTrack.firm_id == firm.id))
    assert record.pool_number == f"市科企-{local_today().year}-0001"
    response = client.post(url, data={"to": "certified", "certificate_number": "ZJ1", "issued_on": local_today()})
    assert response.status_code == 422 and "ZJ + 年份 + 4 位数字" in response.get_data(as_text=True)
    number = f"ZJ{local_today().year}0042"
    assert client.post(url, data={"to": "certified", "certificate_number": number,
                                  "issued_on": local_today()}).status_code == 302
    db.session.refresh(record)
    assert record.expires_on == local_today().replace(year=local_today().year + 5)


def test_bad_track_settings_are_refused_with_reasons(client, db, login_as):
    login_as(Role.ADMIN)
    for change, message in (({"code": "Bad Code"}, "小写字母开头"), ({"code": "tech_sme"}, "已有相同"),
                            ({"number_pattern": "^ZJ(["}, "不是有效的正则表达式"),
                            ({"validity_years": ""}, "有效年数")):
        response = client.post("/admin/funnel/tracks/new", data={**PROVINCIAL, **change})
        assert response.status_code == 422 and message in response.get_data(as_text=True), change
    assert db.session.scalar(select(Track).where(Track.code == "city_tech")) is None


def test_editing_a_track_keeps_its_code_and_can_retire_it(client, db, login_as):
    login_as(Role.ADMIN)
    data = {**PROVINCIAL, "code": "hacked", "name": "高新技术企业", "short_name": "高企", "validity_years": "3",
            "number_pattern": r"^GR{year}\d{2}\d{6}$", "active": "0"}
    assert client.post("/admin/funnel/tracks/hnte/edit", data=data).status_code == 302
    track = db.session.scalar(select(Track).where(Track.code == "hnte"))
    assert not track.active and track.name == "高新技术企业"
    client.get("/admin/funnel/tracks")  # shows the flashed message
    assert "高新技术企业" not in client.get("/funnel/").get_data(as_text=True)
    assert "停用" in client.get("/admin/funnel/tracks").get_data(as_text=True)


def test_stale_thresholds_are_saved_and_used(client, db, login_as, make_firm, place_firm):
    login_as(Role.ADMIN)
    place_firm(make_firm(name="放了四十天的企业"), "tech_sme", Stage.POOL, now=utcnow() - timedelta(days=40))
    assert ">停滞</span>" not in client.get("/funnel/").get_data(as_text=True)
    response = client.post("/admin/funnel/stale", data={"screening": "", "pool": "30", "cultivating": "180",
                                                       "failed": "", "expired": "45"})
    assert response.status_code == 302
    settings = {s.stage: s.stale_days for s in db.session.scalars(select(StageSetting))}
    assert settings[Stage.POOL] == 30 and settings[Stage.SCREENING] is None and settings[Stage.EXPIRED] == 45
    assert ">停滞</span>" in client.get("/funnel/").get_data(as_text=True)
    response = client.post("/admin/funnel/stale", data={"pool": "-3"})
    assert response.status_code == 200 and db.session.get(StageSetting, Stage.POOL).stale_days == 30


def test_admin_limits_an_officer_to_towns(client, db, login_as, make_user, make_town):
    login_as(Role.ADMIN)
    officer = make_user(Role.OFFICER, display_name="郑专员")
    north, south = make_town("儒岙镇"), make_town("回山镇")
    db.session.commit()
    assert "郑专员" in client.get("/admin/funnel/officers").get_data(as_text=True)
    response = client.post("/admin/funnel/officers", data={"user_id": officer.id, "towns": [north.id, south.id]})
    assert response.status_code == 302
    assert {t.name for t in db.session.get(User, officer.id).towns} == {"儒岙镇", "回山镇"}
    client.post("/admin/funnel/officers", data={"user_id": officer.id})
    db.session.expire_all()
    assert db.session.get(User, officer.id).towns == []
    leader = make_user(Role.LEADER)
    db.session.commit()
    assert client.post("/admin/funnel/officers", data={"user_id": leader.id}).status_code == 404


def test_officers_and_leaders_cannot_change_settings(client, login_as):
    login_as(Role.OFFICER)
    assert client.get("/admin/funnel/tracks").status_code == 403
    assert client.post("/admin/funnel/tracks/new", data=PROVINCIAL).status_code == 403
