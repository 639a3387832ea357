"""Stage histories built row by row (FirmTrack + StageMove), and a small county whose funnel numbers are known."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from pipeline.domain.stages import Stage, classify_entry
from pipeline.funnel.models import FirmTrack, StageMove, Track

ZONE = ZoneInfo("Asia/Shanghai")
# The report month of the known county, and the moment the tests look at it.
NOW = datetime(2026, 11, 15, 10, 0, tzinfo=ZONE).astimezone(UTC)


def local(text: str) -> datetime:
    """'2026-10-31 23:30' or '2026-10-31' in Asia/Shanghai → aware UTC."""
    fmt = "%Y-%m-%d %H:%M" if " " in text else "%Y-%m-%d"
    return datetime.strptime(text, fmt).replace(tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
def add_history(db):
    """add_history(firm, 'hnte', [('2026-01-05', 'screening'), ('2026-02-01', 'pool'), ('…', 'removed', 'withdrawn')])."""

    def build(firm, track_code, path, **record):
        track = db.session.scalar(select(Track).where(Track.code == track_code))
        last_at, last_stage = local(path[-1][0]), Stage(path[-1][1])
        values = dict(stage=last_stage, stage_entered_at=last_at, last_activity_at=last_at, created_at=local(path[0][0]))
        values.update(record)
        firm_track = FirmTrack(firm_id=firm.id, track_id=track.id, **values)
        db.session.add(firm_track)
        db.session.flush()
        previous, number = None, None
        for step in path:
            moved_at, stage = local(step[0]), Stage(step[1])
            reason = step[2] if len(step) > 2 else None
            certificate = f"GR{moved_at.year}33{firm.id:06d}" if stage is Stage.CERTIFIED else None
            kind = classify_entry(number, number is not None, certificate).value if certificate else None
            db.session.add(StageMove(firm_track_id=firm_track.id, firm_id=firm.id, track_id=track.id,
                                     from_stage=previous, to_stage=stage, moved_at=moved_at, reason_code=reason,
                                     certificate_number=certificate, entry_class=kind,
                                     issued_on=moved_at.astimezone(ZONE).date() if certificate else None))
            previous, number = stage, certificate or number
        db.session.flush()
        return firm_track

    return build


@pytest.fixture
def known_county(db, make_firm, make_town, add_history):
    """The hand-built county of tests/dashboard/test_stats.py (see the numbers there)."""
    nanming, yulin = make_town("南明街道", 1), make_town("羽林街道", 2)
    firms = {name: make_firm(name=f"{name}公司", town=yulin if name == "K" else nanming) for name in "ABCDEFGHIJK"}
    hnte = [
        ("A", [("2026-03-01", "screening"), ("2026-05-10", "pool"), ("2026-09-01", "cultivating"),
               ("2026-10-20", "certified")], {"certified_on": date(2026, 10, 20), "expires_on": date(2029, 10, 20)}),
        # moved backwards: cultivating → pool
        ("B", [("2026-09-20", "screening"), ("2026-10-05", "pool"), ("2026-10-25", "cultivating"),
               ("2026-10-28", "pool")], {}),
        # left
        ("C", [("2026-10-02", "screening"), ("2026-10-15", "removed", "withdrawn")], {}),
        # left last year, re-entered this month; its last move is at 23:30 on the month's last day
        ("D", [("2025-01-10", "screening"), ("2025-03-01", "pool"), ("2026-06-01", "removed", "no_longer_eligible"),
               ("2026-10-10", "screening"), ("2026-10-31 23:30", "pool")], {}),
        # half an hour into November: not October's
        ("E", [("2026-10-31", "screening"), ("2026-11-01 00:30", "pool")], {}),
        # paused (and quiet for long, which does not make a paused record stale)
        ("F", [("2026-01-05", "screening"), ("2026-02-01", "pool")], {"paused_until": date(2026, 12, 31)}),
        # certificate expiring within six months of NOW
        ("G", [("2023-01-01", "screening"), ("2023-02-01", "pool"), ("2023-06-01", "cultivating"),
               ("2024-03-01", "certified")], {"certified_on": date(2024, 3, 1), "expires_on": date(2027, 3, 1)}),
        # stale: in screening since June
        ("H", [("2026-06-01", "screening")], {}),
        # certified this year in another town
        ("K", [("2025-05-01", "screening"), ("2025-06-01", "pool"), ("2025-09-01", "cultivating"),
               ("2026-03-15", "certified")], {"certified_on": date(2026, 3, 15), "expires_on": date(2029, 3, 15)}),
    ]
    tech_sme = [
        ("I", [("2026-10-03", "screening"), ("2026-10-12", "pool"), ("2026-10-20", "cultivating"),
               ("2026-10-30", "certified")], {"certified_on": date(2026, 10, 30), "expires_on": date(2026, 12, 31)}),
        ("J", [("2026-08-01", "screening"), ("2026-09-01", "pool"), ("2026-10-08", "failed")], {}),
    ]
    for track, rows in (("hnte", hnte), ("tech_sme", tech_sme)):
        for name, path, record in rows:
            add_history(firms[name], track, path, **record)
    db.session.commit()
    return firms


@pytest.fixture
def count_queries(db):
    """with count_queries() as counter: …; counter.count is the number of statements sent."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = type("Counter", (), {"count": 0, "statements": []})()

        def listener(conn, cursor, statement, parameters, context, executemany):
            counter.count += 1
            counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)

    return counting
