"""Funnel numbers of the hand-built county (tests/dashboard/conftest.py: known_county), worked out by hand.

October 2026 in Asia/Shanghai, looked at on 15 November 2026. 高企 (hnte):
  A screening 03-01 → pool 05-10 → cultivating 09-01 → certified 10-20
  B screening 09-20 → pool 10-05 → cultivating 10-25 → pool 10-28          (moved backwards)
  C screening 10-02 → removed 10-15 (withdrawn)                           (left)
  D screening 2025-01-10 → pool 2025-03-01 → removed 2026-06-01 → screening 10-10 → pool 10-31 23:30  (re-entered)
  E screening 10-31 → pool 11-01 00:30                                    (November's, not October's)
  F screening 01-05 → pool 02-01, paused until 12-31                      (paused)
  G certified 2024-03-01, expires 2027-03-01                              (expiring)
  H screening 06-01                                                       (stale)
  K certified 2026-03-15, town 羽林街道
科小 (tech_sme): I screening 10-03 → pool 10-12 → cultivating 10-20 → certified 10-30; J … pool 09-01 → failed 10-08.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from pipeline.dashboard.models import AnnualTarget
from pipeline.dashboard.stats import build_funnel_stats
from pipeline.domain.periods import month_period, parse_period
from pipeline.firms.models import Town
from pipeline.funnel.models import Track
from tests.dashboard.conftest import NOW, ZONE, local

OCTOBER = month_period(2026, 10)


@pytest.fixture
def october(known_county):
    return build_funnel_stats(OCTOBER, now=NOW, zone=ZONE)


def stage_table(track):
    return {row.stage: (row.start, row.entered, row.left, row.end, row.now) for row in track.stages}


def test_stage_counts_at_start_end_and_now_with_flows(october):
    hnte = stage_table(october.track("hnte"))
    # (start, entered, left, end, now)
    assert hnte["screening"] == (2, 3, 3, 2, 1)  # B,H → +C,D,E −B,C,D → H,E; E moved on in November
    assert hnte["pool"] == (1, 2, 1, 3, 4)  # F → +B(twice),D −B → B,D,F; E joins in November
    assert hnte["cultivating"] == (1, 1, 2, 0, 0)
    assert hnte["certified"] == (2, 1, 0, 3, 3)
    assert hnte["removed"] == (1, 1, 1, 1, 1)  # D left the removed stage by re-entering, C arrived
    assert hnte["paused"] == (0, 0, 0, 0, 0)
    sme = stage_table(october.track("tech_sme"))
    assert sme["pool"] == (1, 1, 2, 0, 0)
    assert sme["certified"] == (0, 1, 0, 1, 1)
    assert sme["failed"] == (0, 1, 0, 1, 1)


def test_paused_and_stale_are_counted_now(october):
    hnte = october.track("hnte")
    assert (hnte.stage("pool").paused, hnte.stage("pool").stale) == (1, 0)  # F: paused, so not stale
    assert (hnte.stage("screening").paused, hnte.stage("screening").stale) == (0, 1)  # H


def test_exits_by_reason(october):
    hnte = october.track("hnte")
    assert [(row.stage, row.reason, row.label, row.count) for row in hnte.exits] == [
        ("removed", "withdrawn", "企业放弃", 1)]
    sme = october.track("tech_sme")
    assert [(row.stage, row.reason, row.count) for row in sme.exits] == [("failed", "", 1)]
    assert (hnte.exited, sme.exited) == (1, 1)


def test_conversions_count_the_firms_that_entered_in_the_period_and_reached_a_higher_stage(october):
    rows = {row.stage: row for row in october.track("hnte").conversions}
    # screening: C left, D reached the pool at 23:30 on 31 October, E only on 1 November
    assert (rows["screening"].entered, rows["screening"].reached) == (3, 1)
    assert rows["screening"].rate == Fraction(1, 3)
    # pool: B went on to cultivating (and came back), D did not
    assert (rows["pool"].entered, rows["pool"].reached, rows["pool"].rate) == (2, 1, Fraction(1, 2))
    # cultivating: B moved backwards, which is not reaching the next stage
    assert (rows["cultivating"].entered, rows["cultivating"].reached, rows["cultivating"].rate) == (1, 0, 0)
    assert (rows["certified"].entered, rows["certified"].reached, rows["certified"].rate) == (1, None, None)
    sme = {row.stage: row for row in october.track("tech_sme").conversions}
    assert [sme[s].rate for s in ("screening", "pool", "cultivating")] == [1, 1, 1]


def test_median_and_p90_days_in_stage_count_firms_still_in_the_stage(october):
    rows = {row.stage: row for row in october.track("hnte").durations}
    # screening stays overlapping October: E 1 (still there at the end), C 13, B 15, D 21.98, H 153 (still there)
    assert rows["screening"].stays == 5
    assert rows["screening"].median_days == pytest.approx(15)
    assert rows["screening"].p90_days == pytest.approx(153)
    # pool: D 0.02 (23:30 → midnight), B 4 (back since 10-28, still there), B 20, F 273 (still there): even count
    assert rows["pool"].stays == 4
    assert rows["pool"].median_days == pytest.approx(12)
    assert rows["pool"].p90_days == pytest.approx(273)
    assert (rows["cultivating"].stays, rows["cultivating"].median_days) == (2, pytest.approx(26))
    # certified: A 12, K 231, G 975 days, all still certified
    assert rows["certified"].stays == 3
    assert rows["certified"].median_days == pytest.approx(231)
    assert rows["certified"].p90_days == pytest.approx((date(2026, 11, 1) - date(2024, 3, 1)).days)


def test_a_running_period_counts_open_stays_up_to_now(known_county):
    november = build_funnel_stats(month_period(2026, 11), now=NOW, zone=ZONE)
    rows = {row.stage: row for row in november.track("hnte").durations}
    # screening overlapping November up to the 15th 10:00: E (10-31 → 11-01 00:30) and H (06-01 → now)
    assert rows["screening"].stays == 2
    assert rows["screening"].p90_days == pytest.approx((NOW - local("2026-06-01")).total_seconds() / 86400)
    assert november.running and november.through == date(2026, 11, 15)


def test_month_boundaries_are_local_midnights(known_county):
    october = build_funnel_stats(OCTOBER, now=NOW, zone=ZONE)
    november = build_funnel_stats(month_period(2026, 11), now=NOW, zone=ZONE)
    # D entered the pool at 23:30 on 31 October (15:30 UTC): October's. E at 00:30 on 1 November (16:30 UTC on
    # 31 October): November's.
    assert october.track("hnte").stage("pool").entered == 2
    assert november.track("hnte").stage("pool").entered == 1
    assert october.start == local("2026-10-01") and october.end == local("2026-11-01")
    assert october.end.hour == 16  # midnight in Shanghai is 16:00 UTC


def test_target_progress_and_projection(known_county, db):
    hnte = db.session.query(Track).filter_by(code="hnte").one()
    towns = {town.name: town for town in db.session.query(Town)}
    db.session.add_all([AnnualTarget(track_id=hnte.id, year=2026, town_id=None, target=25),
                        AnnualTarget(track_id=hnte.id, year=2026, town_id=towns["南明街道"].id, target=15),
                        AnnualTarget(track_id=hnte.id, year=2025, town_id=None, target=99)])
    db.session.commit()
    target = build_funnel_stats(OCTOBER, now=NOW, zone=ZONE).track("hnte").target
    # A (10-20) and K (03-15) were certified from 1 January to 31 October
    assert (target.year, target.through, target.actual, target.target) == (2026, date(2026, 10, 31), 2, 25)
    assert target.share_reached == Fraction(2, 25)
    assert target.progress == Fraction(304, 365)
    assert target.projection == 2  # 2 × 365 / 304 = 2.4
    assert target.on_track is False
    assert build_funnel_stats(OCTOBER, now=NOW, zone=ZONE).track("tech_sme").target.target is None


def test_town_ranking_and_industry_breakdown(known_county, db):
    stats = build_funnel_stats(OCTOBER, now=NOW, zone=ZONE)
    towns = stats.track("hnte").towns
    assert [(row.rank, row.name, row.certified_year, row.certified_period) for row in towns] == [
        (1, "南明街道", 1, 1), (2, "羽林街道", 1, 0)]
    nanming = towns[0]
    # now in pool or cultivating: B, D, E, F; entered the pool in October: B, D
    assert (nanming.in_pipeline, nanming.entered_pool, nanming.certified_now) == (4, 2, 2)
    industries = stats.track("hnte").industries
    assert [(row.name, row.in_pipeline, row.certified_year) for row in industries] == [("轴承", 4, 2)]


def test_towns_and_industries_add_up_records_across_each_other(db, make_firm, make_town, add_history):
    """Each town's counts sum its firms over every industry, and each industry's over every town."""
    from pipeline.firms.models import Industry

    nanming, yulin = make_town("南明街道", 1), make_town("羽林街道", 2)
    bearings, textiles = Industry(name="轴承", sort_order=1), Industry(name="纺织", sort_order=2)
    db.session.add_all([bearings, textiles])
    db.session.flush()
    certified = [("2026-02-01", "screening"), ("2026-03-01", "pool"), ("2026-10-10", "certified")]
    for town, industry, path in ((nanming, bearings, certified), (nanming, textiles, certified),
                                 (nanming, textiles, certified[:2]), (yulin, textiles, certified[:2])):
        add_history(make_firm(town=town, industry=industry), "hnte", path)
    db.session.commit()
    hnte = build_funnel_stats(OCTOBER, now=NOW, zone=ZONE).track("hnte")
    assert {row.name: (row.in_pipeline, row.certified_now, row.certified_period, row.certified_year)
            for row in hnte.towns} == {"南明街道": (1, 2, 2, 2), "羽林街道": (1, 0, 0, 0)}
    assert {row.name: (row.in_pipeline, row.certified_now, row.certified_period, row.certified_year)
            for row in hnte.industries} == {"轴承": (0, 1, 1, 1), "纺织": (2, 1, 1, 1)}
    assert hnte.target.actual == 2


def test_year_period_counts_the_whole_year(known_county):
    year = build_funnel_stats(parse_period("2026"), now=NOW, zone=ZONE)
    hnte = year.track("hnte")
    assert hnte.certified == 2 and hnte.target.actual == 2
    # entered the pool in 2026: A, B, D, E, F
    assert hnte.stage("pool").entered == 5


def test_at_risk_lists(known_county):
    stats = build_funnel_stats(OCTOBER, now=NOW, zone=ZONE)
    expiring = stats.risk("expiring")
    assert expiring.total == 1 and [row.name for row in expiring.rows] == ["G公司"]
    assert expiring.rows[0].day == date(2027, 3, 1)
    stale = stats.risk("stale")
    assert stale.total == 1 and [(row.name, row.stage, row.day) for row in stale.rows] == [("H公司", "screening", date(2026, 6, 1))]
    missing = stats.risk("annual_report")  # G, certified in 2024; A and K were certified this year
    assert missing.total == 1 and [(row.name, row.day) for row in missing.rows] == [("G公司", date(2024, 3, 1))]


def test_annual_report_list_counts_from_may_and_drops_firms_that_filed(known_county, db):
    from pipeline.reminders.models import AnnualReportFiling

    april = local("2026-04-30 12:00")
    assert build_funnel_stats(month_period(2026, 4), now=april, zone=ZONE).risk("annual_report").total == 0
    db.session.add(AnnualReportFiling(firm_id=known_county["G"].id, year=2026))
    db.session.commit()
    assert build_funnel_stats(OCTOBER, now=NOW, zone=ZONE).risk("annual_report").total == 0


def test_at_risk_lists_are_limited_to_the_officers_towns(known_county, db):
    yulin = db.session.query(Town).filter_by(name="羽林街道").one()
    stats = build_funnel_stats(OCTOBER, now=NOW, zone=ZONE, town_ids={yulin.id})
    assert stats.risk("expiring").total == 0 and stats.risk("stale").rows == ()
    # the aggregates stay county-wide
    assert stats.track("hnte").stage("pool").end == 3


def test_an_empty_county_gives_zeros(app):
    stats = build_funnel_stats(OCTOBER, now=NOW, zone=ZONE)
    hnte = stats.track("hnte")
    assert all(row.start == row.end == row.entered == 0 for row in hnte.stages)
    assert all(row.median_days is None for row in hnte.durations)
    assert hnte.conversions[0].rate is None and hnte.target.projection == 0


def test_a_future_period_is_empty(known_county):
    stats = build_funnel_stats(month_period(2027, 1), now=NOW, zone=ZONE)
    assert stats.start == stats.end
    assert all(row.entered == 0 for row in stats.track("hnte").stages)
