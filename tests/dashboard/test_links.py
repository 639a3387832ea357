"""Each dashboard number links to a firm-list filter; on the known county, the filter finds exactly that many firms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from pipeline.dashboard import links
from pipeline.dashboard.stats import build_funnel_stats
from pipeline.domain.periods import month_period
from pipeline.firms.models import Firm
from tests.dashboard.conftest import NOW, ZONE

OCTOBER = month_period(2026, 10)


@pytest.fixture
def october(known_county):
    return build_funnel_stats(OCTOBER, now=NOW, zone=ZONE)


@pytest.fixture
def count_firms(db):
    def count(args):
        stmt = links.filter_firms_by_history(select(Firm.id), args, zone=ZONE, today=NOW.astimezone(ZONE).date())
        return len(db.session.scalars(stmt).all())

    return count


@pytest.mark.parametrize("track_code", ["hnte", "tech_sme"])
def test_stage_numbers_match_their_firm_lists(october, count_firms, track_code):
    track = october.track(track_code)
    first, last = OCTOBER.first, OCTOBER.last
    for row in track.stages:
        assert count_firms(links.entered_args(track_code, row.stage, first, last)) == row.entered, row.stage
        assert count_firms(links.left_args(track_code, row.stage, first, last)) == row.left, row.stage
        assert count_firms(links.stage_at_args(track_code, row.stage, last)) == row.end, row.stage
        assert count_firms(links.stage_at_args(track_code, row.stage, first - timedelta(days=1))) == row.start, row.stage


@pytest.mark.parametrize("track_code", ["hnte", "tech_sme"])
def test_conversion_and_exit_numbers_match_their_firm_lists(october, count_firms, track_code):
    track = october.track(track_code)
    for row in track.conversions:
        if row.reached is not None:
            args = links.entered_args(track_code, row.stage, OCTOBER.first, OCTOBER.last, reached=1)
            assert count_firms(args) == row.reached, row.stage
    for row in track.exits:
        args = links.entered_args(track_code, row.stage, OCTOBER.first, OCTOBER.last, reason=row.reason or "none")
        assert count_firms(args) == row.count


def test_year_to_date_and_expiring_numbers_match_their_firm_lists(october, count_firms):
    hnte = october.track("hnte")
    args = links.entered_args("hnte", "certified", OCTOBER.first.replace(month=1), hnte.target.through)
    assert count_firms(args) == hnte.target.actual == 2
    assert count_firms(links.expiring_args("hnte", october.expiry_until)) == october.risk("expiring").total == 1


def test_month_boundary_in_the_firm_list(known_county, count_firms):
    # D's move into the pool at 23:30 on 31 October is on 31 October
    assert count_firms(links.entered_args("hnte", "pool", OCTOBER.last, OCTOBER.last)) == 1
    assert count_firms(links.entered_args("hnte", "pool", OCTOBER.end, OCTOBER.end)) == 1  # E, 1 November


@pytest.mark.parametrize("args", [
    {"entered": "pool", "period_from": "2026-10-01", "period_to": "2026-10-31"},  # no track
    {"track": "hnte", "entered": "nowhere", "period_from": "2026-10-01", "period_to": "2026-10-31"},
    {"track": "hnte", "entered": "pool", "period_from": "2026-13-01", "period_to": "2026-10-31"},
    {"track": "hnte", "entered": "pool", "period_from": "2026-10-31", "period_to": "2026-10-01"},
    {"track": "hnte", "stage_at": "pool"},
])
def test_malformed_arguments_are_a_clear_error(app, args):
    with pytest.raises(links.FilterError):
        links.filter_firms_by_history(select(Firm.id), args, zone=ZONE, today=NOW.date())


def test_other_arguments_are_left_alone(app):
    stmt = select(Firm.id)
    assert links.filter_firms_by_history(stmt, {"track": "hnte", "stage": "pool"}, zone=ZONE, today=NOW.date()) is stmt


def test_the_expiring_list_counts_past_a_full_first_page(client, login_as, make_firm, place_firm):
    """More expiring certificates than one page holds: the list counts them through firm_track joined to firm."""
    from pipeline.auth.models import Role
    from pipeline.db import utcnow
    from pipeline.domain.stages import Stage
    from pipeline.i18n import to_local

    login_as(Role.LEADER)
    for i in range(25):
        place_firm(make_firm(name=f"到期企业{i:02d}有限公司"), "hnte", Stage.CERTIFIED)
    until = (to_local(utcnow()).date() + timedelta(days=4 * 366)).isoformat()
    response = client.get(f"/firms/?track=hnte&stage=certified&expires_by={until}&per_page=20")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "共 25 家" in html and html.count("到期企业") >= 20
