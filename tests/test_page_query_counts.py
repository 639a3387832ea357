"""The pages an officer or a firm opens cost the same number of SQL statements whether they show 5 firms or 40
(no query per row, card or history entry), and the firm list's capped count still lets every page be reached."""

from datetime import timedelta

import pytest

from pipeline.auth.models import Role
from pipeline.db import utcnow
from pipeline.domain.stages import Stage
from pipeline.firms import search
from pipeline.firms.models import ServiceKind
from pipeline.funnel.services import record_service
from tests.firms.test_firm_list import names_in


def statements(client, count_queries, url: str) -> int:
    assert client.get(url).status_code == 200  # warm-up: the same work twice must cost the same
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return counted.count


@pytest.fixture
def grow_county(make_firm, make_town, make_user, place_firm):
    """Add firms to a county of two towns and two officers, on both tracks and in varied stages (stale ones too)."""
    towns = [make_town("南明街道"), make_town("回山镇", sort_order=1)]
    officers = [make_user(Role.OFFICER), make_user(Role.OFFICER)]
    stages = [Stage.POOL, Stage.CULTIVATING, Stage.SCREENING, Stage.PAUSED, Stage.CERTIFIED]
    added = []

    def grow(count: int) -> dict:
        for _ in range(count):
            i = len(added)
            firm = make_firm(town=towns[i % 2], officer=officers[i % 2])
            place_firm(firm, "tech_sme", stages[i % len(stages)], now=utcnow() - timedelta(days=300 * (i % 3 == 0)))
            if i % 2:
                place_firm(firm, "hnte", Stage.SCREENING)
            added.append(firm)
        return dict(town=towns[0], officer=officers[0], firms=added)

    return grow


LIST_PAGES = ["/firms/?per_page=50", "/firms/?per_page=50&stage=pool", "/firms/?per_page=50&stale=1",
              "/firms/?per_page=50&q=测试企业&sort=town", "/funnel/?track=tech_sme", "/funnel/?track=hnte",
              "/funnel/bulk?track=tech_sme&stage=pool", "/certificates/"]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_and_board_cost_the_same_statements_for_5_and_40_firms(url, client, login_as, grow_county,
                                                                    count_queries):
    login_as(Role.OFFICER)
    grow_county(5)
    few = statements(client, count_queries, url)
    grow_county(35)
    many = statements(client, count_queries, url)
    assert few == many, (url, few, many)


def test_filters_by_town_officer_and_track_cost_the_same_statements(client, login_as, grow_county, count_queries,
                                                                    track_by_code):
    login_as(Role.OFFICER)
    county = grow_county(5)
    url = (f"/firms/?per_page=50&town={county['town'].id}&officer={county['officer'].id}"
           f"&track={track_by_code('tech_sme').id}")
    few = statements(client, count_queries, url)
    grow_county(35)
    assert statements(client, count_queries, url) == few


def _long_history(db, firm, place_firm, entries: int):
    place_firm(firm, "tech_sme", Stage.CERTIFIED)
    place_firm(firm, "hnte", Stage.CULTIVATING)
    for day in range(entries):
        record_service(firm, served_on=utcnow().date() - timedelta(days=day), kind=ServiceKind.VISIT, note=str(day),
                       actor=None, now=utcnow())
    db.session.commit()


def test_firm_page_costs_the_same_statements_for_a_short_and_a_long_history(client, db, login_as, make_firm,
                                                                           place_firm, count_queries):
    login_as(Role.OFFICER)
    short, long = make_firm(), make_firm()
    place_firm(short, "tech_sme", Stage.SCREENING)
    _long_history(db, long, place_firm, 40)
    assert statements(client, count_queries, f"/firms/{short.id}") == statements(client, count_queries,
                                                                                f"/firms/{long.id}")


def test_portal_costs_the_same_statements_for_a_short_and_a_long_history(client, db, make_firm, place_firm,
                                                                        login_as, count_queries):
    counts = []
    for entries in (0, 40):
        firm = make_firm()
        if entries:
            _long_history(db, firm, place_firm, entries)
        else:
            place_firm(firm, "tech_sme", Stage.SCREENING)
        login_as(Role.FIRM, firm=firm)
        counts.append(statements(client, count_queries, "/portal/"))
    assert counts[0] == counts[1], counts


def test_count_stops_at_its_limit_and_later_pages_stay_reachable(client, db, login_as, make_firm, monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    login_as(Role.OFFICER)
    for i in range(70):
        make_firm(name=f"限数企业{i:02d}有限公司")
    db.session.commit()
    first = client.get("/firms/?per_page=20").get_data(as_text=True)
    assert "超过 60 家" in first and "第 1 页，共 3 页以上" in first  # counted as far as the pager links: three pages
    assert names_in(first)[0] == "限数企业00有限公司"
    monkeypatch.setattr(search, "COUNT_LIMIT", 70)
    assert "共 70 家" in client.get("/firms/?per_page=20").get_data(as_text=True)  # exactly the limit is not "more"
    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    fourth = client.get("/firms/?per_page=20&page=4").get_data(as_text=True)
    assert "共 70 家" in fourth and "第 4 页，共 4 页" in fourth
    assert names_in(fourth) == [f"限数企业{i:02d}有限公司" for i in range(60, 70)]


def test_record_filters_find_the_same_firms_whether_few_or_many_match(client, login_as, make_firm, place_firm,
                                                                      monkeypatch):
    """Few matches start from the records (IN), many walk the firms in order (EXISTS): the same firms either way."""
    login_as(Role.OFFICER)
    for i in range(36):  # 24 match: more than the first page holds, so the page is counted
        firm = make_firm(name=f"筛选企业{i:02d}有限公司")
        place_firm(firm, "tech_sme", Stage.POOL if i % 3 else Stage.SCREENING)
    expected = [f"筛选企业{i:02d}有限公司" for i in range(36) if i % 3][:20]
    exact = client.get("/firms/?per_page=20&stage=pool").get_data(as_text=True)
    monkeypatch.setattr(search, "PAGER_AHEAD", -1)  # count no further than one row short of the first page
    monkeypatch.setattr(search, "COUNT_LIMIT", 1)
    capped = client.get("/firms/?per_page=20&stage=pool").get_data(as_text=True)
    assert "共 24 家" in exact and "超过" in capped
    assert names_in(exact) == names_in(capped) == expected


def test_firms_on_both_tracks_are_counted_once(client, login_as, make_firm, place_firm, monkeypatch, track_by_code):
    """A stage filter without a track reads records: a firm in 入库 on both tracks is still one firm of the count,
    also when the count stops early (here after 60 rows: the first page and the two the pager links)."""
    login_as(Role.OFFICER)
    for i in range(40):
        firm = make_firm(name=f"双培育类别企业{i:02d}有限公司")
        place_firm(firm, "tech_sme", Stage.POOL)
        place_firm(firm, "hnte", Stage.POOL)
    monkeypatch.setattr(search, "COUNT_LIMIT", 1)
    html = client.get("/firms/?stage=pool&per_page=20").get_data(as_text=True)
    assert "共 40 家" in html and "超过" not in html
    assert html.count("双培育类别企业") == 20
    # On one track a record is a firm: the board's stage tally has their exact number, past any cap of a count.
    tech = track_by_code("tech_sme").id
    monkeypatch.setattr(search, "PAGER_AHEAD", -1)
    assert "共 40 家" in client.get(f"/firms/?track={tech}&stage=pool&per_page=20").get_data(as_text=True)


def test_a_count_of_few_records_stops_at_its_cap_by_firms(client, login_as, make_firm, place_firm, monkeypatch):
    """Fewer records than two tracks' worth of the cap: all are read and their firms counted, and more firms than
    the cap say 超过 (20 firms on both tracks and 20 on one: 60 records, 40 firms, a cap of 30)."""
    login_as(Role.OFFICER)
    for i in range(40):
        firm = make_firm(name=f"计数上限企业{i:02d}有限公司")
        place_firm(firm, "tech_sme", Stage.POOL)
        if i % 2:
            place_firm(firm, "hnte", Stage.POOL)
    monkeypatch.setattr(search, "PAGER_AHEAD", -1)
    monkeypatch.setattr(search, "COUNT_LIMIT", 30)
    assert "超过 30 家" in client.get("/firms/?stage=pool&per_page=20").get_data(as_text=True)
    monkeypatch.setattr(search, "COUNT_LIMIT", 40)
    html = client.get("/firms/?stage=pool&per_page=20").get_data(as_text=True)
    assert "共 40 家" in html and "超过" not in html


def test_a_record_filter_reads_its_records_count_once(client, db, login_as, make_firm, place_firm, count_queries,
                                                      track_by_code):
    """Without firm filters one count decides how to walk the firms and is the total too: a full first page (which
    needs a total) costs no more statements than a short one. For one track's stage that count is the stage tally's
    (the board's), not a count of the records."""
    login_as(Role.OFFICER)
    for i in range(30):
        place_firm(make_firm(name=f"一次计数企业{i:02d}有限公司"), "tech_sme", Stage.POOL)
    db.session.commit()
    tech = track_by_code("tech_sme").id
    with count_queries() as full:
        assert "共 30 家" in client.get(f"/firms/?track={tech}&stage=pool&per_page=20").get_data(as_text=True)
    with count_queries() as short:
        assert "共 30 家" in client.get(f"/firms/?track={tech}&stage=pool&per_page=50").get_data(as_text=True)
    assert full.count == short.count
    assert sum("count(" in statement.lower() and "firm_track" in statement for statement in full.statements) == 0
    assert sum("stage_tally" in statement for statement in full.statements) == 1


def test_officer_towns_page_costs_the_same_statements_for_2_and_12_officers(client, db, login_as, make_user,
                                                                            make_town, count_queries):
    towns = [make_town("南明街道"), make_town("回山镇", sort_order=1)]
    login_as(Role.ADMIN)
    counts = []
    for officers in (2, 10):
        for _ in range(officers):
            make_user(Role.OFFICER).towns = towns
        db.session.commit()
        counts.append(statements(client, count_queries, "/admin/funnel/officers"))
    assert counts[0] == counts[1], counts
