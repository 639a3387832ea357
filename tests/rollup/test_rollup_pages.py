"""The roll-up pages as city leaders, county users and the English UI see them."""

import re

import pytest
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.dashboard import stats_cache
from pipeline.tenancy.models import Authority
from tests.rollup.conftest import EMAIL, PHONE
from tests.test_i18n import CJK, chinese_in_chrome, data_strings


def log_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True


def ranking(html, track="tech_sme"):
    """(county id, rank, target cell, completion cell) of each row of a track's ranking table, in page order."""
    table = re.search(rf'<table[^>]*data-track="{track}">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r'<tr data-county="(\d+)">\s*<td class="rank">([^<]*)</td>.*?<td class="target">([^<]*)</td>'
                      r'.*?<td class="completion">([^<]*)</td>', table, re.S)
    return [(int(county), rank, target, completion) for county, rank, target, completion in rows]


def total(html, figure, track="tech_sme"):
    card = re.search(rf'class="card h-100 shadow-sm rollup-total" data-track="{track}">(.*?)</dl>', html, re.S).group(1)
    return int(re.search(rf'data-figure="{figure}">([\d,]+)', card).group(1).replace(",", ""))


def valid_now(html):
    """当前有效 of the 科小 card, on the dashboard and on the drill-down alike."""
    return int(re.search(r'当前有效</dt><dd class="fs-5"[^>]*>(\d+)', html).group(1))


def test_the_city_leader_sees_every_county_ranked_with_the_sums(client, db, city):
    log_in(client, city["city_leader"])
    html = client.get(f"/rollup/?year={city['year']}").get_data(as_text=True)
    first, second = city["first"]["county"].id, city["second"]["county"].id
    assert ranking(html) == [(second, "1", "4", "50.0%"), (first, "2", "4", "25.0%"), (city["third"].id, "—", "未设目标", "—")]
    assert (total(html, "first_time"), total(html, "valid_now")) == (3, 3)
    assert "淳安县" not in html and "未设目标" in html and "绍兴市" in html
    lowest_first = client.get(f"/rollup/?year={city['year']}&sort=completion_asc").get_data(as_text=True)
    assert [row[0] for row in ranking(lowest_first)] == [first, second, city["third"].id]


def own_dashboards(client, city):
    """当前有效 on each county's dashboard of the year, as its own leader sees it."""
    figures = {}
    for key in ("first", "second"):
        log_in(client, city[key]["users"][Role.LEADER])
        figures[key] = valid_now(client.get(f"/dashboard/?period={city['year']}").get_data(as_text=True))
    return figures


def test_each_county_sums_to_what_its_own_leader_sees(client, db, city):
    figures = own_dashboards(client, city)
    assert figures == {"first": 1, "second": 2}
    log_in(client, city["city_leader"])
    for key in ("first", "second"):
        drill = client.get(f"/rollup/counties/{city[key]['county'].id}?period={city['year']}")
        assert drill.status_code == 200
        assert valid_now(drill.get_data(as_text=True)) == figures[key], key
    rollup = client.get(f"/rollup/?year={city['year']}").get_data(as_text=True)
    assert total(rollup, "valid_now") == sum(figures.values())


def test_a_county_outside_the_scope_is_not_found(client, db, city):
    log_in(client, city["city_leader"])
    assert client.get(f"/rollup/counties/{city['third'].id}").status_code == 200
    for county_id in (city["other"].id, city["city"].id, city["other_city"].id, 999999, 2**31):
        assert client.get(f"/rollup/counties/{county_id}").status_code == 404, county_id


@pytest.mark.parametrize("role", [Role.LEADER, Role.ADMIN, Role.OFFICER, Role.FIRM])
def test_a_county_user_does_not_find_the_rollup(client, db, city, role):
    log_in(client, city["second"]["users"][role])
    assert client.get("/rollup/").status_code == 404
    assert client.get(f"/rollup/counties/{city['second']['county'].id}").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, db, city):
    response = client.get("/rollup/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_no_firm_contact_details_on_the_rollup_pages(client, db, city):
    log_in(client, city["city_leader"])
    pages = [client.get("/rollup/"), client.get(f"/rollup/counties/{city['second']['county'].id}")]
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert PHONE not in html and EMAIL not in html and "张经理" not in html
        assert not re.search(r'href="/firms/\d', html)  # no way on to a firm's page (its contacts) from here
    assert "<h1" in pages[1].get_data(as_text=True) and "嵊州市 · " in pages[1].get_data(as_text=True)


def test_the_city_leader_lands_on_the_rollup_and_its_menu_leads_there(client, db, city):
    log_in(client, city["city_leader"])
    assert client.get("/").headers["Location"].endswith("/rollup/")
    assert client.get("/dashboard/").headers["Location"].endswith("/rollup/")
    html = client.get("/rollup/").get_data(as_text=True)
    nav = re.search(r"<nav.*?</nav>", html, re.S).group(0)
    assert 'href="/rollup/"' in nav and 'href="/dashboard/"' not in nav
    log_in(client, city["second"]["users"][Role.LEADER])
    assert client.get("/").headers["Location"].endswith("/dashboard/")
    assert 'href="/rollup/"' not in client.get("/dashboard/").get_data(as_text=True)


@pytest.mark.parametrize("year", ["abc", "99999", "1999", "2026.5", "-1"])
def test_a_bad_year_shows_this_year_with_a_message(client, db, city, year):
    log_in(client, city["city_leader"])
    page = client.get(f"/rollup/?year={year}&sort=nonsense")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "年份应为 2000 至 2100 之间的整数" in html
    assert f"· {city['year']}年</h1>" in html


def test_a_bad_period_on_the_drill_down_shows_this_month_with_a_message(client, db, city):
    log_in(client, city["city_leader"])
    page = client.get(f"/rollup/counties/{city['first']['county'].id}?period=2026-13")
    assert page.status_code == 200 and "alert" in page.get_data(as_text=True)


def test_the_rollup_pages_are_english(app, client, db, city):
    log_in(client, city["city_leader"])
    client.post("/language", data={"language": "en", "next": "/"})
    names = set(data_strings(db)) | set(db.session.scalars(select(Authority.name))) | {
        app.config["PIPELINE_AUTHORITY_NAME"]}  # on the printed page's header
    data = sorted(names, key=len, reverse=True)
    for url in ("/rollup/", f"/rollup/counties/{city['second']['county'].id}"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and 'lang="en"' in html, url
        main = html.split("<main", 1)[1]  # the page itself: the navbar's entries belong to their own features
        assert chinese_in_chrome(main, data) == [], url
        assert chinese_text(main, data) == [], (url, chinese_text(main, data))
    rollup = client.get("/rollup/").get_data(as_text=True)
    assert "No target" in rollup and ">County roll-up<" in rollup and "未设目标" not in rollup


def chinese_text(html, data):
    """Every piece of text with Chinese in it, once tags and the data (names) are taken out."""
    text = re.sub(r"<[^>]+>", "\n", html)
    for value in data:
        text = text.replace(value, "")
    return [line.strip() for line in text.splitlines() if CJK.search(line)]


def test_one_countys_cached_dashboard_never_answers_another(app, client, db, city, monkeypatch):
    monkeypatch.setitem(app.config, "PIPELINE_DASHBOARD_CACHE_SECONDS", 60)
    stats_cache.clear()
    try:
        seen = own_dashboards(client, city)
        log_in(client, city["city_leader"])
        drill = client.get(f"/rollup/counties/{city['first']['county'].id}?period={city['year']}")
    finally:
        stats_cache.clear()
    assert seen == {"first": 1, "second": 2}
    assert valid_now(drill.get_data(as_text=True)) == 1


@pytest.mark.parametrize("value", ['<script>alert("x")</script>', "a\x01b", "9" * 30, "2147483648", "2026-02-30",
                                   "长" * 3000, "' OR '1'='1", "2026-Q9", ""])
def test_hostile_arguments_never_fail_the_rollup_pages(client, db, city, value):
    log_in(client, city["city_leader"])
    county = city["first"]["county"].id
    for url in ("/rollup/", f"/rollup/counties/{county}"):
        for name in ("year", "sort", "period", "from", "to"):
            response = client.get(url, query_string={name: value})
            assert response.status_code in (200, 400), (url, name)
            assert '<script>alert("x")</script>' not in response.get_data(as_text=True)


def test_a_province_leader_sees_the_counties_of_every_city_with_their_city(client, db, city, make_user):
    from pipeline.tenancy.services import add_authority

    province = add_authority("province", "浙江省", code="330000")
    city["city"].parent_id = city["other_city"].parent_id = province.id
    leader = make_user(Role.LEADER, authority_id=province.id)
    db.session.commit()
    log_in(client, leader)
    html = client.get("/rollup/").get_data(as_text=True)
    assert {row[0] for row in ranking(html)} == {city["first"]["county"].id, city["second"]["county"].id,
                                                 city["third"].id, city["other"].id}
    assert ">所属市</th>" in html and "<td class=\"text-start\">杭州市</td>" in html
    assert total(html, "valid_now") == 4
    assert client.get(f"/rollup/counties/{city['other'].id}").status_code == 200


def test_a_city_without_counties_says_so(client, db, city, make_user):
    leader = make_user(Role.LEADER, authority_id=city["other_city"].id)
    city["other"].parent_id = city["city"].id  # 淳安县 moves away: 杭州市 is left without counties
    db.session.commit()
    log_in(client, leader)
    response = client.get("/rollup/")
    assert response.status_code == 200 and "辖区内暂无区县。" in response.get_data(as_text=True)
