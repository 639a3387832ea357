"""Build a large county with bulk inserts and time the dashboard statistics, the dashboard page and the monthly PDF.

Full scale (the scale issue): --firms 100000 gives about 180,000 FirmTrack rows and about 1,000,000 StageMove rows
over five years. The default is smaller so that it runs in a minute.

    python bench/bench_report.py --firms 10000                       # scratch SQLite file in /tmp
    python bench/bench_report.py --firms 100000 --database-url postgresql://postgres@127.0.0.1/pipeline_bench

The database is wiped (downgrade to base, upgrade to head): never point it at real data.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.domain.periods import add_months  # noqa: E402 (after the path is set)

CHUNK = 20_000
STAGES_AFTER = {"screening": "pool", "pool": "cultivating", "cultivating": "certified"}
DAY = timedelta(days=1)


def _walk(rng: random.Random, track: str, start: datetime, now: datetime):
    """A plausible history for one record: yields (moved_at, from_stage, to_stage, reason) and the final state."""
    moves, stage, at = [(start, None, "screening", None)], "screening", start
    certified_on = expires_on = paused_until = None
    while True:
        if stage in STAGES_AFTER:
            at = at + DAY * rng.expovariate(1 / {"screening": 70, "pool": 150, "cultivating": 200}[stage])
            roll = rng.random()
            if roll < 0.07:
                nxt, reason = "removed", rng.choice(["no_longer_eligible", "withdrawn", "moved_away", "deregistered", "other"])
            elif roll < 0.10 and stage == "cultivating":
                nxt, reason = "pool", None  # moved backwards
            elif roll < 0.14 and stage == "cultivating":
                nxt, reason = "failed", None
            else:
                nxt, reason = STAGES_AFTER[stage], None
        elif stage == "certified":
            certified_on = at.date()
            expires_on = date(certified_on.year, 12, 31) if track == "tech_sme" else add_months(certified_on, 36) - DAY
            at = datetime.combine(expires_on + DAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=rng.randrange(1, 9))
            nxt, reason = "expired", None
        elif stage in ("expired", "failed") and rng.random() < 0.6:
            at, nxt, reason = at + DAY * rng.expovariate(1 / 60), "screening", None  # applies again
        elif stage == "removed" and rng.random() < 0.15:
            at, nxt, reason = at + DAY * rng.expovariate(1 / 300), "screening", None  # re-enters
        else:
            break
        if at >= now:
            break
        moves.append((at, stage, nxt, reason))
        stage = nxt
    if stage in ("pool", "cultivating") and rng.random() < 0.03:
        paused_until = (now + DAY * rng.randrange(10, 200)).date()
    return moves, stage, certified_on if stage == "certified" else None, expires_on if stage == "certified" else None, paused_until


def build_county(firm_count: int, now: datetime, seed: int = 7) -> dict:
    """Insert firms, their records and histories in bulk; return the row counts."""
    from sqlalchemy import insert, select

    from pipeline.demo import INDUSTRIES, TOWNS, demo_credit_code
    from pipeline.extensions import db
    from pipeline.firms.models import Firm, Industry, Town
    from pipeline.funnel.models import FirmTrack, StageMove, Track

    rng = random.Random(seed)
    db.session.execute(insert(Town), [{"name": name, "sort_order": i} for i, name in enumerate(TOWNS)])
    db.session.execute(insert(Industry), [{"name": name, "sort_order": i} for i, name in enumerate(INDUSTRIES)])
    town_ids = list(db.session.scalars(select(Town.id)))
    industry_ids = list(db.session.scalars(select(Industry.id)))
    tracks = {code: track_id for track_id, code in db.session.execute(select(Track.id, Track.code))}
    five_years = (now - datetime(now.year - 5, 1, 1, tzinfo=UTC)).days
    firm_rows, record_rows, move_rows = [], [], []
    record_id = move_id = 0
    for index in range(1, firm_count + 1):
        firm_rows.append({"id": index, "credit_code": demo_credit_code(index), "name": f"基准测试企业{index:06d}有限公司",
                          "town_id": rng.choice(town_ids), "industry_id": rng.choice(industry_ids),
                          "address": "", "legal_rep": "", "contact_name": "", "contact_phone": "", "contact_email": "",
                          "notes": "", "created_at": now, "updated_at": now})
        for code in ("tech_sme", "hnte"):
            if code == "hnte" and rng.random() > 0.8:
                continue
            start = now - DAY * rng.uniform(0, five_years)
            moves, stage, certified_on, expires_on, paused_until = _walk(rng, code, start, now)
            record_id += 1
            last_at = moves[-1][0]
            record_rows.append({"id": record_id, "firm_id": index, "track_id": tracks[code], "stage": stage,
                                "stage_entered_at": last_at, "last_activity_at": last_at, "certified_on": certified_on,
                                "expires_on": expires_on, "paused_until": paused_until, "pause_reason": "",
                                "version": 1, "created_at": moves[0][0]})
            for moved_at, from_stage, to_stage, reason in moves:
                move_id += 1
                move_rows.append({"id": move_id, "firm_track_id": record_id, "firm_id": index, "track_id": tracks[code],
                                  "from_stage": from_stage, "to_stage": to_stage, "moved_at": moved_at,
                                  "reason_code": reason, "note": "", "skipped": False})
        if len(move_rows) >= CHUNK:
            _flush(db, Firm, FirmTrack, StageMove, firm_rows, record_rows, move_rows)
    _flush(db, Firm, FirmTrack, StageMove, firm_rows, record_rows, move_rows)
    db.session.commit()
    with db.engine.connect() as conn:  # planner statistics, as PostgreSQL's autovacuum would gather them
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return {"firms": firm_count, "records": record_id, "moves": move_id}


def _flush(db, Firm, FirmTrack, StageMove, *batches):  # noqa: N803 (model classes)
    from sqlalchemy import insert

    for model, rows in zip((Firm, FirmTrack, StageMove), batches, strict=True):
        if rows:
            db.session.execute(insert(model.__table__), rows)
            rows.clear()


def timed(label: str, results: list, function, *args, **kwargs):
    """Run and print wall time and this process's CPU time (the machine is shared: CPU time is the steadier one;
    database time spent in a PostgreSQL server process is in the wall time only)."""
    started, cpu = time.perf_counter(), time.process_time()
    value = function(*args, **kwargs)
    results.append((label, time.perf_counter() - started))
    print(f"  {label:<52} {results[-1][1]:7.2f} s wall {time.process_time() - cpu:7.2f} s cpu", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--database-url", default="sqlite:////tmp/pipeline-bench-report.db")
    parser.add_argument("--reuse", action="store_true", help="keep the county built by an earlier run")
    parser.add_argument("--out", type=Path, help="write the PDF here")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    from flask_migrate import upgrade

    from pipeline import create_app
    from pipeline.extensions import db

    app = create_app("development")
    app.config["PIPELINE_LEADER_EMAILS"] = []
    now = datetime.now(UTC)
    results: list[tuple[str, float]] = []
    with app.app_context():
        if not args.reuse:
            _wipe(db)
            upgrade()
            counts = timed(f"build county ({args.firms:,} firms, bulk inserts)", results, build_county, args.firms, now)
            print(f"  rows: {counts}")
        run_timings(app, now, results, args.out)


def _wipe(db) -> None:
    """Drop whatever an earlier run left, whichever revision it was at."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
            return
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        names = [row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                         "AND name NOT LIKE 'sqlite_%'")]
        for name in names:
            conn.exec_driver_sql(f'DROP TABLE "{name}"')


def run_timings(app, now: datetime, results: list, out: Path | None) -> None:
    from pipeline.dashboard.stats import build_funnel_stats
    from pipeline.domain.periods import month_period, previous_period, year_period
    from pipeline.i18n import local_zone
    from pipeline.reports.context import build_report_context
    from pipeline.reports.pdf import render_report_pdf

    zone = local_zone()
    local = now.astimezone(zone)
    this_month = month_period(local.year, local.month)
    last_month = previous_period(this_month)
    timed("dashboard statistics, this month", results, build_funnel_stats, this_month, now=now, zone=zone)
    timed("dashboard statistics, last month", results, build_funnel_stats, last_month, now=now, zone=zone)
    timed("dashboard statistics, this year", results, build_funnel_stats, year_period(local.year), now=now, zone=zone)
    timed("dashboard page (GET /dashboard/, officer)", results, _get_dashboard, app)
    context = timed("report context (two months of statistics + lists)", results, build_report_context, last_month,
                    now=now, zone=zone, authority="新昌县科学技术局",
                    annex_limit=app.config["PIPELINE_REPORT_ANNEX_LIMIT"])
    with app.test_request_context():
        pdf = timed("report PDF (WeasyPrint)", results, render_report_pdf, context)
    print(f"  PDF: {len(pdf):,} bytes; movements {[m.total for m in context.movements]}, "
          f"risks {[r.total for r in context.risks]}")
    if out:
        out.write_bytes(pdf)
    report_total = sum(seconds for label, seconds in results if label.startswith("report"))
    print(f"  {'report total (context + PDF), wall':<52} {report_total:7.2f} s")


def _get_dashboard(app):
    from pipeline.auth.models import Role, User
    from pipeline.extensions import db

    user = db.session.query(User).filter_by(username="bench-officer").one_or_none()
    if user is None:
        user = User(username="bench-officer", password_hash="x", role=Role.OFFICER)
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
    response = client.get("/dashboard/")
    assert response.status_code == 200, response.status_code
    return response


if __name__ == "__main__":
    main()
