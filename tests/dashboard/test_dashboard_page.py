"""The dashboard page: numbers and their links, the period chooser, scopes, languages, and a bounded query count."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest

from pipeline.auth.models import Role
from pipeline.dashboard.stats import build_funnel_stats
from pipeline.domain.periods import month_period
from tests.dashboard.conftest import NOW, ZONE


@pytest.fixture
def at_now(monkeypatch):
    """The page computes with NOW instead of the wall clock."""
    monkeypatch.setattr("pipeline.dashboard.views.utcnow", lambda: NOW)
    monkeypatch.setattr("pipeline.dashboard.views.local_today", lambda: NOW.astimezone(ZONE).date())


def test_page_shows_the_numbers_with_links_to_the_firm_list(client, login_as, known_county, at_now):
    login_as(Role.OFFICER)
    page = client.get("/dashboard/?period=2026-10").get_data(as_text=True)
    assert "2026年10月" in page
    # 高企 entered the pool in October: B and D → 2, linking to the history filter of the firm list
    link = ('/firms/?track=hnte&amp;entered=pool&amp;period_from=2026-10-01&amp;period_to=2026-10-31">2</a>')
    assert link in page
    assert "/firms/?track=hnte&amp;stage=pool&amp;paused=1" in page  # F is paused
    assert "/firms/?track=hnte&amp;stage_at=pool&amp;at=2026-10-31" in page
    assert "reached=1" in page and "reason=withdrawn" in page
    assert page.count("<svg") >= 10  # five charts per track
    assert "G公司" in page and "H公司" in page  # expiring (and without this year's annual report) and stale
    assert "5月1日后仍未填报高企年报" in page


def test_every_chart_has_a_table_and_no_inline_style_or_script(client, login_as, known_county, at_now):
    login_as(Role.LEADER)
    page = client.get("/dashboard/?period=2026-10").get_data(as_text=True)
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert page.count("<table") >= page.count('<div class="chart-box">')


@pytest.mark.parametrize("query", ["period=2026-13", "period=<b>x</b>", "from=2026-10-01&to=nonsense",
                                   "from=2026-10-05&to=2026-10-01", "period=1800"])
def test_a_bad_period_falls_back_to_this_month_with_a_message(client, login_as, at_now, query):
    login_as(Role.OFFICER)
    response = client.get(f"/dashboard/?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "alert-warning" in page and "2026年11月" in page
    assert "<b>x</b>" not in page


def test_custom_range_and_quarter(client, login_as, known_county, at_now):
    login_as(Role.OFFICER)
    page = client.get("/dashboard/?from=2026-10-31&to=2026-10-31").get_data(as_text=True)
    assert "2026-10-31 至 2026-10-31" in page
    assert "entered=pool&amp;period_from=2026-10-31&amp;period_to=2026-10-31\">1</a>" in page  # D at 23:30
    assert client.get("/dashboard/?period=2026-Q4").status_code == 200


def test_town_limited_officer_sees_only_their_firms_in_lists(client, login_as, known_county, at_now, db):
    from pipeline.firms.models import Town

    yulin = db.session.query(Town).filter_by(name="羽林街道").one()
    login_as(Role.OFFICER, towns=[yulin])
    page = client.get("/dashboard/?period=2026-10").get_data(as_text=True)
    assert "G公司" not in page and "H公司" not in page


def test_page_in_english_renders(client, login_as, known_county, at_now, db):
    user = login_as(Role.LEADER)
    user.locale = "en"
    db.session.commit()
    assert client.get("/dashboard/?period=2026-10").status_code == 200


def _random_county(make_firm, add_history, count, seed):
    rng = random.Random(seed)
    ladder = ["screening", "pool", "cultivating", "certified"]
    for index in range(count):
        firm = make_firm()
        day = NOW - timedelta(days=rng.randrange(30, 900))
        path = []
        for stage in ladder[: rng.randrange(1, 5)]:
            path.append((day.astimezone(ZONE).strftime("%Y-%m-%d %H:%M"), stage))
            day += timedelta(days=rng.randrange(1, 120))
        if index % 5 == 0:
            path.append((day.astimezone(ZONE).strftime("%Y-%m-%d %H:%M"), "removed", "withdrawn"))
        add_history(firm, rng.choice(["hnte", "tech_sme"]), path)


def test_query_count_does_not_grow_with_the_number_of_firms(app, db, make_firm, add_history, count_queries):
    counts = []
    for size, seed in ((3, 1), (40, 2)):
        _random_county(make_firm, add_history, size, seed)
        db.session.commit()
        with count_queries() as counter:
            build_funnel_stats(month_period(2026, 10), now=NOW, zone=ZONE, list_limit=5)
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 26  # PostgreSQL; two SET LOCAL fewer on SQLite


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER])
@pytest.mark.parametrize("query", ["", "?period=2026"])
def test_page_query_count_does_not_grow_with_the_number_of_firms(client, login_as, db, make_firm, add_history,
                                                                  count_queries, at_now, role, query):
    login_as(role)
    counts = []
    for size, seed in ((3, 3), (40, 4)):
        _random_county(make_firm, add_history, size, seed)
        db.session.commit()
        with count_queries() as counter:
            assert client.get(f"/dashboard/{query}").status_code == 200
        counts.append(counter.count)
    # The statistics' statements, the page's own (user, towns, unread reminders, the account settings of 0018) and
    # PostgreSQL's two SET LOCAL, the 奖补兑现 block's one sum (issue 25); the tallies of issue 23 read, for the
    # period's moves, the trend and the 新增 each, the day tally, the pairs and (now not being a midnight) the moves
    # of today, and the place tally, its pairs and this month's moves; the request's tenant role and scope on
    # PostgreSQL (issue 24): up to 35.
    assert counts[0] == counts[1] <= 35
