"""Server time of the officer's workbench at 100,000 firms against 1,000 firms.

`python bench/bench_workbench.py [--backend sqlite|postgresql] [--small 1000] [--large 100000] [--rounds 15]`

Goal (issue 20): the workbench loads within the board's budget, at most 1.5× its time at the small county, with no
more SQL statements: each kind of to-do is one exact count and one short list, and neither reads the matching rows
(migration 0024). Measured as the demo officers see it: `officer` (looks after the firms of every town but two) and
`officer2` (limited to two towns), each page a test-client GET, median of the rounds after a warm-up, the two
counties taking turns round by round (load on the shared machine falls on both sides of a ratio). Twice: with the
calendar as it stands, and ten days before a 高企 batch and a 科小 window (added to both counties for the run and
removed after it), when the page adds the records in 培育 whose 申报 checklist is incomplete. The sections' counts are
printed beside the times.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    Goals,
    add_backend_argument,
    add_rebuild_argument,
    counted_statements,
    county_app,
    interleaved_medians,
    logged_in_client,
    python_loop_ms,
)

GOAL = 1.5
USERS = ("officer", "officer2")
DEADLINE_IN_DAYS = 10


def statements(app, client) -> int:
    with counted_statements(app) as counted:
        response = client.get("/workbench/")
    if response.status_code != 200:
        raise SystemExit(f"GET /workbench/ answered {response.status_code}")
    return len(counted)


def section_counts(app, username: str) -> str:
    """The page's sections and their counts, as build_workbench gives them (e.g. stale 11393)."""
    from sqlalchemy import select

    from pipeline.auth.models import User
    from pipeline.db import utcnow
    from pipeline.extensions import db
    from pipeline.i18n import local_today
    from pipeline.workbench.queries import build_workbench

    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == username))
        board = build_workbench(user, now=utcnow(), today=local_today())
        shown = " ".join(f"{section.kind} {section.count}" for section in board.sections)
        db.session.remove()
    return shown + (f" deadlines {len(board.deadlines)}" if board.deadlines else "")


@contextmanager
def deadline_soon(apps: dict):
    """A 高企 batch and the close of a 科小 window ten days ahead in every county, removed afterwards."""
    from sqlalchemy import delete, select

    from pipeline.extensions import db
    from pipeline.i18n import local_today
    from pipeline.reminders.models import HnteBatch, ProgramYear

    saved = {}
    for size, app in apps.items():
        with app.app_context():
            due = local_today() + timedelta(days=DEADLINE_IN_DAYS)
            year = db.session.get(ProgramYear, (due.year, 1)) or ProgramYear(year=due.year)
            saved[size] = (year in db.session, year.tech_sme_opens_on, year.tech_sme_closes_on, due)
            year.tech_sme_opens_on, year.tech_sme_closes_on = date(due.year, 1, 1), due
            db.session.add(year)
            db.session.flush()
            db.session.add(HnteBatch(year=due.year, due_on=due))
            db.session.commit()
    try:
        yield
    finally:
        for size, app in apps.items():
            existed, opens_on, closes_on, due = saved[size]
            with app.app_context():
                db.session.execute(delete(HnteBatch).where(HnteBatch.due_on == due))
                year = db.session.get(ProgramYear, (due.year, 1))
                if existed:
                    year.tech_sme_opens_on, year.tech_sme_closes_on = opens_on, closes_on
                elif not db.session.scalar(select(HnteBatch.id).where(HnteBatch.year == due.year)):
                    db.session.delete(year)
                db.session.commit()


def measure(apps: dict, args, goals: Goals, label: str) -> None:
    print(f"{label}:")
    print(f"  {'user':10} {'ms small':>9} {'ms large':>9} {'ratio':>6}  {'verdict':7} {'statements':>11}  sections "
          f"(counts at {args.small:,} | {args.large:,})")
    for username in USERS:
        clients = {size: logged_in_client(app, username) for size, app in apps.items()}
        calls = {size: (lambda c=client: c.get("/workbench/")) for size, client in clients.items()}
        medians = interleaved_medians(calls, args.rounds)
        counts = {size: statements(apps[size], clients[size]) for size in apps}
        ratio = medians[args.large] / medians[args.small]
        verdict = goals.check(ratio <= GOAL and counts[args.large] <= counts[args.small])
        sections = " | ".join(section_counts(apps[size], username) for size in (args.small, args.large))
        print(f"  {username:10} {medians[args.small] * 1000:9.1f} {medians[args.large] * 1000:9.1f} {ratio:6.2f}  "
              f"{verdict:7} {counts[args.small]:>5}/{counts[args.large]:<5}  {sections}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_backend_argument(parser)
    add_rebuild_argument(parser)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)  # 9 left officer at 1.3–1.6× under load
    args = parser.parse_args()
    goals = Goals()
    apps = {size: county_app(size, args.backend, goals, rebuild=args.rebuild) for size in (args.small, args.large)}
    print(f"workbench at {args.large:,} firms vs {args.small:,} on {args.backend}, median of {args.rounds} rounds; "
          f"goal ≤ {GOAL}× and no more statements; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
          f"cores, a fixed Python loop takes {python_loop_ms():.0f} ms", flush=True)
    measure(apps, args, goals, "the calendar as it stands")
    with deadline_soon(apps):
        measure(apps, args, goals, f"{DEADLINE_IN_DAYS} days before a 高企 batch and a 科小 window")
    print(f"  (a fixed Python loop takes {python_loop_ms():.0f} ms now)")
    return goals.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
