"""The roll-up's figures: each county's own, computed in its scope, and their exact sums; the ranking by completion."""

from dataclasses import fields
from datetime import date
from fractions import Fraction

import pytest

from pipeline.dashboard.figures import TrackFigures, build_track_figures
from pipeline.i18n import local_today, local_zone
from pipeline.rollup.services import County, build_rollup, rank_counties, sum_figures
from pipeline.tenancy.scope import county_scope, scope_of_authority, use_scope


def own_figures(db, county_id, year):
    """What the county's own leader's dashboard reads: the figures built in the county's scope alone."""
    with use_scope(county_scope(county_id), db.session):
        return build_track_figures(year, today=local_today(), zone=local_zone())


def test_the_city_sees_each_county_as_its_own_leader_does_and_their_sums(app, db, city):
    county_ids = scope_of_authority(db.session, city["city"].id).county_ids
    with app.test_request_context():
        rollup = build_rollup(county_ids, city["year"], today=local_today(), zone=local_zone())
        own = {county_id: own_figures(db, county_id, city["year"]) for county_id in county_ids}
    assert [county.id for county in rollup.counties] == [city["first"]["county"].id, city["second"]["county"].id,
                                                         city["third"].id]  # not 淳安县, of another city
    for track in rollup.tracks:
        for row in track.rows:
            assert row.figures == own[row.county.id][track.code], (track.code, row.county.name)
        for key in ("first_time", "repeat", "valid_at_start", "valid_at_end", "valid_now"):
            assert getattr(track.total, key) == sum(getattr(own[c][track.code], key) for c in county_ids), key
    sme = next(track for track in rollup.tracks if track.code == "tech_sme")
    assert (sme.total.first_time, sme.total.valid_now, sme.total.target) == (3, 3, 8)  # 淳安县 (another city) left out
    assert sme.total.net_increase == 3 and sme.without_target == 1


def test_counties_rank_by_completion_and_one_without_target_has_no_rank(app, db, city):
    county_ids = scope_of_authority(db.session, city["city"].id).county_ids
    with app.test_request_context():
        rollup = build_rollup(county_ids, city["year"], today=local_today(), zone=local_zone())
    sme = next(track for track in rollup.tracks if track.code == "tech_sme")
    assert [(row.county.name, row.rank, row.share_reached) for row in sme.rows] == [
        ("嵊州市", 1, Fraction(1, 2)), (city["first"]["county"].name, 2, Fraction(1, 4)), ("新昌县", None, None)]


def county(order, name):
    return County(order + 10, name, "绍兴市", order)


def figures(first_time, target):
    return TrackFigures("tech_sme", "科技型中小企业", 2026, target, first_time, 0, 0, 0, 0, date(2026, 12, 31), 0, None)


@pytest.mark.parametrize(("sort", "expected"), [
    ("completion", ["乙", "丙", "甲", "丁", "戊"]),
    ("completion_asc", ["甲", "乙", "丙", "丁", "戊"]),
    ("first_time", ["乙", "丁", "丙", "甲", "戊"]),
    ("name", ["甲", "乙", "丙", "丁", "戊"]),
])
def test_the_ranking_sorts_as_asked_and_ties_share_a_rank(sort, expected):
    rows = [(county(0, "甲"), figures(1, 10)), (county(1, "乙"), figures(6, 10)), (county(2, "丙"), figures(3, 5)),
            (county(3, "丁"), figures(5, None)), (county(4, "戊"), figures(0, 0))]
    ranked = rank_counties(rows, sort)
    assert [row.county.name for row in ranked] == expected
    assert {row.county.name: row.rank for row in ranked} == {"乙": 1, "丙": 1, "甲": 3, "丁": None, "戊": None}


def test_every_count_of_the_figures_is_summed_and_targets_only_where_set():
    counts = [f.name for f in fields(TrackFigures) if f.type == "int" and f.name != "year"]
    same = dict(code="hnte", name="高企", year=2026, through=date(2026, 6, 30), baseline=None)
    parts = [TrackFigures(**same, target=7, **{name: index + 1 for index, name in enumerate(counts)}),
             TrackFigures(**same, target=None, **{name: 100 * (index + 1) for index, name in enumerate(counts)})]
    total = sum_figures(parts, code="hnte", name="高企", year=2026, through=date(2026, 6, 30))
    assert len(counts) == 6
    for index, name in enumerate(counts):
        assert getattr(total, name) == 101 * (index + 1), name
    assert total.target == 7 and total.baseline is None
