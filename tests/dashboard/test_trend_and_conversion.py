"""Leaders' figures: a conversion never above 100 % (where the old ratio showed 1200 %), and the 12-month trend
against a plain count of the history rows."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.dashboard.sql import EXIT_STAGES
from pipeline.dashboard.stats import build_funnel_stats
from pipeline.dashboard.trend import trend_months
from pipeline.domain.periods import month_period
from pipeline.domain.stages import Stage
from pipeline.funnel.models import StageMove, Track
from tests.dashboard.conftest import NOW, ZONE


@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setattr("pipeline.dashboard.views.utcnow", lambda: NOW)
    monkeypatch.setattr("pipeline.dashboard.views.local_today", lambda: NOW.astimezone(ZONE).date())


@pytest.fixture
def lopsided_county(db, make_firm, add_history):
    """October 2026 on 高企: one firm enters the pool, twelve firms admitted last year are certified. Entries into
    认定 ÷ entries into the pool, as 占上一阶段 was, gave 1200 %."""
    add_history(make_firm(name="新入库公司"), "hnte", [("2026-09-20", "screening"), ("2026-10-08", "pool")])
    for index in range(12):
        add_history(make_firm(name=f"老企业{index}公司"), "hnte",
                    [("2025-03-01", "screening"), ("2025-04-01", "pool"), ("2025-08-01", "cultivating"),
                     (f"2026-10-{index + 10}", "certified")])
    db.session.commit()


def _conversion_table(page: str, track_code: str) -> str:
    section = page.split(f'id="track-{track_code}"', 1)[1]
    return section.split("阶段转化", 1)[1].split("</table>", 1)[0]


def test_conversion_never_exceeds_100_percent(lopsided_county, client, login_as, at_now):
    stats = build_funnel_stats(month_period(2026, 10), now=NOW, zone=ZONE)
    rows = {row.stage: row for row in stats.track("hnte").conversions}
    assert (rows["pool"].entered, rows["certified"].entered) == (1, 12)  # the old ratio: 12 ÷ 1
    assert all(row.rate is None or 0 <= row.rate <= 1 for row in rows.values())
    login_as(Role.LEADER)
    page = client.get("/dashboard/?period=2026-10").get_data(as_text=True)
    table = _conversion_table(page, "hnte")
    shares = [float(value) for value in re.findall(r"([\d.]+)%", table)]
    assert shares and max(shares) <= 100
    assert "1200.0%" not in page and "占上一阶段" not in page
    assert "不会超过 100%" in page  # the footnote says how the rate is counted


def _plain_trend(db, track_code: str, through) -> list[tuple[int, int, int]]:
    """Each month: distinct records moved into 入库, into 认定, and into an exit stage per (stage, reason)."""
    track_id = db.session.scalar(select(Track.id).where(Track.code == track_code))
    seen = defaultdict(set)
    for move in db.session.scalars(select(StageMove).where(StageMove.track_id == track_id)):
        local = move.moved_at.astimezone(ZONE)
        key = (local.year, local.month)
        if move.to_stage is Stage.POOL:
            seen[key, "pool"].add(move.firm_track_id)
        elif move.to_stage is Stage.CERTIFIED:
            seen[key, "certified"].add(move.firm_track_id)
        elif move.to_stage in EXIT_STAGES:
            seen[key, "exit", move.to_stage, move.reason_code].add(move.firm_track_id)
    months = []
    for first in trend_months(through):
        key = (first.year, first.month)
        exits = sum(len(ids) for name, ids in seen.items() if name[0] == key and name[1] == "exit")
        months.append((len(seen[key, "pool"]), len(seen[key, "certified"]), exits))
    return months


def test_trend_matches_a_plain_count(known_county, db):
    stats = build_funnel_stats(month_period(2026, 10), now=NOW, zone=ZONE)
    for code in ("hnte", "tech_sme"):
        trend = stats.track(code).trend
        assert [row.first.isoformat() for row in (trend[0], trend[-1])] == ["2025-11-01", "2026-10-01"]
        assert [(row.entered_pool, row.certified, row.exited) for row in trend] == _plain_trend(db, code, stats.through)
    hnte = stats.track("hnte").trend
    # D re-entered the pool at 23:30 on 31 October (Beijing time): October's, not November's
    assert (hnte[-1].entered_pool, hnte[-1].certified, hnte[-1].exited) == (2, 1, 1)
    assert hnte[7].exited == 1  # D left in June


def test_dashboard_and_report_draw_the_trend(known_county, client, login_as, at_now):
    login_as(Role.LEADER)
    page = client.get("/dashboard/?period=2026-10").get_data(as_text=True)
    assert page.count("近 12 个月走势") >= 2 and "<polyline" in page
    assert 'class="table table-sm bg-white numbers trend-table"' in page
