"""Moves at 100,000 firms: single moves through move_firm, each committed like a request, and one bulk move.

    python bench/bench_moves.py [--backend sqlite|postgresql] [--firms 100000] [--moves 400] [--bulk 1000]

Both move records from 遴选 into 入库 (the heaviest move: a pool number, a history row and the 入库证书 issued by the
stage_changed receiver). They run on a fresh copy of the bench county (bench/common.py: county_copy_app), dropped at
the end, so every run starts from the same data and the county the other benches read is not changed.
Goals (issue 9): at least 200 moves per second on SQLite (on PostgreSQL the rate is printed without a verdict); the
bulk move of 1,000 records in under 10 s, through the service and through the page, every record moved (the page's
records are counted in 入库 afterwards: a refused record makes the page miss).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import contains_eager, joinedload  # noqa: E402

from bench.common import (  # noqa: E402
    Goals,
    add_backend_argument,
    add_rebuild_argument,
    county_copy_app,
    drop_county_copy,
    logged_in_client,
    python_loop_ms,
)
from pipeline.auth.models import User  # noqa: E402
from pipeline.certificates.models import Certificate  # noqa: E402
from pipeline.db import utcnow  # noqa: E402
from pipeline.domain.stages import Stage  # noqa: E402
from pipeline.extensions import db  # noqa: E402
from pipeline.funnel.models import FirmTrack, Track  # noqa: E402
from pipeline.funnel.services import bulk_move, move_firm  # noqa: E402

MOVES_PER_SECOND_GOAL = 200
BULK_SECONDS_GOAL = 10.0


def screening_records(count: int) -> list[tuple[int, int]]:
    """(id, version) of `count` 科小 records in 遴选, spread over the county as the board would offer them."""

    stmt = (select(FirmTrack.id, FirmTrack.version).join(Track)
            .where(FirmTrack.stage == Stage.SCREENING, Track.code == "tech_sme")
            .order_by(FirmTrack.last_activity_at, FirmTrack.id).limit(count))
    return [(record_id, version) for record_id, version in db.session.execute(stmt)]


def time_single_moves(items: list[tuple[int, int]], actor: User) -> tuple[float, float]:
    """(wall, CPU) seconds of one request per move: load the record with its firm, move, commit."""
    wall, cpu = time.perf_counter(), time.process_time()
    for record_id, version in items:
        record = db.session.get(FirmTrack, record_id, options=[joinedload(FirmTrack.firm)])
        move_firm(record, Stage.POOL, actor=actor, now=utcnow(), expected_version=version)
        db.session.commit()
    return time.perf_counter() - wall, time.process_time() - cpu


def time_bulk_move(items: list[tuple[int, int]], actor: User) -> tuple[float, float, int]:
    """(wall, CPU) seconds of one bulk_move of all items, loaded with their firms in one query as the bulk page
    loads them, and its commit; and how many moved."""
    wall, cpu = time.perf_counter(), time.process_time()
    versions = dict(items)
    records = db.session.scalars(select(FirmTrack).join(FirmTrack.firm).options(contains_eager(FirmTrack.firm))
                                 .where(FirmTrack.id.in_(versions))).all()
    result = bulk_move([(record, versions[record.id]) for record in records], Stage.POOL, actor=actor, now=utcnow())
    db.session.commit()
    if result.refused:
        raise SystemExit(f"bulk move refused {len(result.refused)} records: {result.refused[0][1]}")
    return time.perf_counter() - wall, time.process_time() - cpu, len(result.moved)


def time_bulk_page(app, items: list[tuple[int, int]]) -> tuple[float, int]:
    """Wall seconds of the same bulk move as an officer makes it: one POST of the 批量移动 page, result page included;
    and how many of the posted records are in 入库 afterwards (the page shows refusals, it does not fail on them)."""
    app.config["WTF_CSRF_ENABLED"] = False  # the token round trip is not what is measured
    client = logged_in_client(app, "officer")
    started = time.perf_counter()
    response = client.post("/funnel/bulk?track=tech_sme&stage=screening",
                           data={"to": Stage.POOL.value, "record": [f"{rid}:{version}" for rid, version in items]})
    if response.status_code != 200:
        raise SystemExit(f"the bulk page answered {response.status_code}")
    seconds = time.perf_counter() - started
    with app.app_context():
        in_pool = db.session.scalar(select(func.count(FirmTrack.id)).where(
            FirmTrack.id.in_([record_id for record_id, _version in items]), FirmTrack.stage == Stage.POOL))
        db.session.remove()
    return seconds, in_pool


def count_certificates() -> int:
    return db.session.scalar(select(func.count(Certificate.id)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_backend_argument(parser)
    add_rebuild_argument(parser)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--moves", type=int, default=400, help="single moves to time")
    parser.add_argument("--bulk", type=int, default=1000, help="records in the bulk move")
    args = parser.parse_args()
    goals = Goals()
    app = county_copy_app(args.firms, args.backend, goals, suffix="moves", rebuild=args.rebuild)
    try:
        with app.app_context():
            actor = db.session.scalar(select(User).where(User.username == "officer"))
            items = screening_records(args.moves + 2 * args.bulk)
            if len(items) < args.moves + 2 * args.bulk:
                raise SystemExit(f"the county has {len(items):,} 科小 records in 遴选, the run needs --moves + 2 × "
                                 f"--bulk = {args.moves + 2 * args.bulk:,}: fewer moves or a larger county")
            before = count_certificates()
            single_wall, single_cpu = time_single_moves(items[:args.moves], actor)
            bulk_wall, bulk_cpu, moved = time_bulk_move(items[args.moves:args.moves + args.bulk], actor)
            db.session.remove()
            page_items = items[args.moves + args.bulk:]
            page_wall, page_moved = time_bulk_page(app, page_items)
            issued = count_certificates() - before
            db.session.remove()
    finally:
        drop_county_copy(app, args.firms, args.backend, suffix="moves")
    load = os.getloadavg()[0]
    print(f"[{args.backend}] {args.firms:,} firms; 遴选 → 入库 with history row and 入库证书 ({issued:,} issued); "
          f"load average {load:.1f} on {os.cpu_count()} cores; a fixed Python loop takes {python_loop_ms():.0f} ms")
    rate, cpu_rate = args.moves / single_wall, args.moves / single_cpu
    goal = (f"{rate / MOVES_PER_SECOND_GOAL:.2f}× the goal of {MOVES_PER_SECOND_GOAL}/s "
            f"({goals.check(rate >= MOVES_PER_SECOND_GOAL)})" if args.backend == "sqlite"
            else f"the goal of {MOVES_PER_SECOND_GOAL}/s is for SQLite")
    print(f"  single moves: {args.moves} in {single_wall:.2f} s = {rate:,.0f} moves/s, {goal}; "
          f"this process's CPU alone: {cpu_rate:,.0f} moves/s")
    print(f"  bulk move: {moved:,} records in {bulk_wall:.2f} s, {bulk_wall / BULK_SECONDS_GOAL:.2f}× the goal of "
          f"{BULK_SECONDS_GOAL:.0f} s ({goals.check(bulk_wall < BULK_SECONDS_GOAL)}); this process's CPU: {bulk_cpu:.2f} s")
    print(f"  bulk move through the page (POST /funnel/bulk with its result page): {page_moved:,} of "
          f"{len(page_items):,} records in 入库 afterwards, {page_wall:.2f} s "
          f"({goals.check(page_wall < BULK_SECONDS_GOAL and page_moved == len(page_items))})")
    return goals.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
