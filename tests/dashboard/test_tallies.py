"""The counts read from the tallies of migration 0026 equal those counted move by move from the history.

A random county whose records go back and forth (re-entries within one month, exits for the same and for another
reason, pauses), with moves on the bureau's midnights and just before them; firms that change town and industry
afterwards and a firm deleted with its history. The expected numbers are counted here in plain Python from every
stage_move row, for past, running and custom periods and a `now` on and off a midnight.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from pipeline.dashboard.sql import EXIT_STAGES
from pipeline.dashboard.stats import build_funnel_stats, period_window
from pipeline.dashboard.trend import trend_months
from pipeline.domain.periods import local_midnight, month_period, range_period, year_period
from pipeline.domain.stages import EntryClass, Stage
from pipeline.firms.models import Firm, Industry
from pipeline.funnel.models import FirmTrack, StageMove, Track
from tests.dashboard.conftest import ZONE, local

STAGES = [stage.value for stage in Stage]
REASONS = ["withdrawn", "relocated", None]


def _moment(rng: random.Random) -> str:
    """A local time in 2025-09 … 2026-12, a third of them on a midnight or a minute before one."""
    day = date(2025, 9, 1) + timedelta(days=rng.randrange(0, 480))
    clock = rng.choice(["00:00", "23:59", f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"])
    return f"{day.isoformat()} {clock}"


@pytest.fixture
def busy_county(db, make_firm, make_town, add_history):
    rng = random.Random(23)
    towns = [make_town("南明街道", 1), make_town("羽林街道", 2)]
    industries = [Industry(name=name) for name in ("轴承", "纺机")]
    db.session.add_all(industries)
    db.session.flush()
    firms = []
    for index in range(40):
        firm = make_firm(town=towns[index % 2], industry=industries[index % 2])
        if index % 3 == 0:
            firm.industry = None  # 未分类
        times = sorted(_moment(rng) for _ in range(rng.randrange(1, 9)))
        if index % 4 == 0:  # a re-entry within days: twice into the same stage in one month
            times += [f"2026-10-{day:02d} 12:00" for day in (3, 9, 20)]
            times.sort()
        path, stage = [], None
        for moment in times:
            stage = rng.choice([s for s in STAGES if s != stage])
            path.append((moment, stage, rng.choice(REASONS)) if stage in ("removed", "failed") else (moment, stage))
        add_history(firm, rng.choice(["hnte", "tech_sme"]), path)
        firms.append(firm)
    db.session.flush()
    firms[1].town, firms[2].industry = towns[0], industries[1]  # their moves follow them
    db.session.flush()
    db.session.execute(delete(Firm).where(Firm.id == firms[3].id))  # its history goes with it (the cascade)
    db.session.expire_all()
    return firms


def _moves(db):
    stmt = (select(StageMove, Firm.town_id, Firm.industry_id).join(Firm, Firm.id == StageMove.firm_id)
            .order_by(StageMove.moved_at, StageMove.id))
    return [(move, town_id, industry_id) for move, town_id, industry_id in db.session.execute(stmt)]


def _distinct(moves, a, b, key) -> Counter:
    """key(move, town, industry) → group or None; the distinct records per group among moves in [a, b)."""
    records = defaultdict(set)
    for move, town, industry in moves:
        if a <= move.moved_at < b and (group := key(move, town, industry)) is not None:
            records[group].add(move.firm_track_id)
    return Counter({group: len(ids) for group, ids in records.items()})


def _value(stage):
    return stage.value if stage is not None else None


def _expected_stage_rows(db, moves, start, end):
    now_counts = Counter((r.track_id, r.stage.value) for r in db.session.scalars(select(FirmTrack)))
    far = end + timedelta(days=10_000)
    entered = _distinct(moves, start, end, lambda m, t, i: (m.track_id, m.to_stage.value))
    left = _distinct(moves, start, end, lambda m, t, i: (m.track_id, _value(m.from_stage)) if m.from_stage else None)
    rows = {}
    for track_id in db.session.scalars(select(Track.id)):
        for stage in STAGES:
            def moved(a, b, column, stage=stage, track_id=track_id):
                return sum(1 for m, _t, _i in moves if a <= m.moved_at < b and m.track_id == track_id
                           and _value(getattr(m, column)) == stage)
            end_count = now_counts[track_id, stage] - moved(end, far, "to_stage") + moved(end, far, "from_stage")
            start_count = end_count - moved(start, end, "to_stage") + moved(start, end, "from_stage")
            rows[track_id, stage] = (start_count, entered[track_id, stage], left[track_id, stage], end_count)
    return rows


def _is_new(move, year: int) -> bool:
    return (move.to_stage is Stage.CERTIFIED and move.entry_class == EntryClass.FIRST_TIME
            and move.issued_on is not None and move.issued_on >= date(year, 1, 1))


PERIODS = [month_period(2026, 10), year_period(2026), range_period(date(2026, 9, 15), date(2026, 10, 31)),
           month_period(2026, 11)]
NOWS = ["2026-11-15 10:00", "2026-11-01 00:00", "2026-10-31 23:59"]


@pytest.mark.parametrize("now_text", NOWS)
@pytest.mark.parametrize("period", PERIODS, ids=lambda period: period.key)
def test_tallied_counts_equal_those_counted_move_by_move(db, busy_county, period, now_text):
    now = local(now_text)
    stats = build_funnel_stats(period, now=now, zone=ZONE)
    moves = _moves(db)
    start, end = period_window(period, now, ZONE)
    expected = _expected_stage_rows(db, moves, start, end)
    exits = _distinct(moves, start, end, lambda m, t, i: (m.track_id, m.to_stage.value, m.reason_code or "")
                      if m.to_stage in EXIT_STAGES else None)
    year = stats.through.year
    year_start = local_midnight(date(year, 1, 1), ZONE)
    flows = [_distinct(moves, start, end, lambda m, t, i: (m.track_id, t) if m.to_stage is Stage.POOL else None),
             _distinct(moves, start, end, lambda m, t, i: (m.track_id, t) if m.to_stage is Stage.CERTIFIED else None),
             _distinct(moves, year_start, end, lambda m, t, i: (m.track_id, t) if _is_new(m, year) else None)]
    industry_flows = _distinct(moves, start, end, lambda m, t, i: (m.track_id, i) if m.to_stage is Stage.POOL
                               else None)
    classes = _distinct(moves, year_start, local_midnight(stats.through + timedelta(days=1), ZONE),
                        lambda m, t, i: (m.track_id, m.entry_class) if m.to_stage is Stage.CERTIFIED
                        and m.entry_class and m.issued_on >= date(year, 1, 1) else None)
    for track in stats.tracks:
        for row in track.stages:
            assert (row.start, row.entered, row.left, row.end) == expected[track.track_id, row.stage], row.stage
        assert {(row.stage, row.reason): row.count for row in track.exits} == {
            (stage, reason): count for (track_id, stage, reason), count in exits.items() if track_id == track.track_id}
        for row in track.towns:
            assert (row.entered_pool, row.certified_period, row.certified_year) == tuple(
                counts[track.track_id, row.key] for counts in flows), row.name
        assert {row.key: row.entered_pool for row in track.industries if row.entered_pool} == {
            key: count for (track_id, key), count in industry_flows.items() if track_id == track.track_id}
        figures = track.target.figures
        assert (figures.first_time, figures.repeat, figures.restored) == tuple(
            classes[track.track_id, kind.value] for kind in EntryClass)
        _check_trend(moves, track, stats)


def _check_trend(moves, track, stats):
    firsts = trend_months(stats.through)
    starts = [local_midnight(first, ZONE) for first in firsts] + [stats.end]
    for month, a, b in zip(track.trend, starts, starts[1:], strict=False):
        def count(stage_test, a=a, b=b):
            groups = _distinct(moves, a, b, lambda m, t, i: (m.to_stage.value, m.reason_code if m.to_stage in
                               EXIT_STAGES else None) if m.track_id == track.track_id and stage_test(m) else None)
            return sum(groups.values())
        assert (month.entered_pool, month.certified, month.exited) == (
            count(lambda m: m.to_stage is Stage.POOL), count(lambda m: m.to_stage is Stage.CERTIFIED),
            count(lambda m: m.to_stage in EXIT_STAGES)), month.first


def test_the_county_has_what_the_comparison_needs(db, busy_county):
    """Repeats within a month, exits for one reason twice, moves on a midnight: else the test above proves little."""
    moves = _moves(db)
    october = (local("2026-10-01"), local("2026-11-01"))
    repeats = _distinct(moves, *october, lambda m, t, i: (m.firm_track_id, m.to_stage))
    assert any(count for count in repeats.values())
    per_record = Counter((m.firm_track_id, m.to_stage) for m, _t, _i in moves if october[0] <= m.moved_at < october[1])
    assert max(per_record.values()) >= 2
    assert any(m.moved_at.astimezone(ZONE).strftime("%H:%M") == "00:00" for m, _t, _i in moves)
    assert any(m.to_stage in EXIT_STAGES and m.reason_code for m, _t, _i in moves)
