"""Server time of the officer's workbench at 100,000 firms against 1,000 firms.

`python bench/bench_workbench.py [--backend sqlite|postgresql] [--small 1000] [--large 100000] [--rounds 9]`

Goal (issue 20): the workbench loads within the board's budget, at most 1.5× its time at the small county, with
as many SQL statements: each kind of to-do is one count and one short list, never a query per firm. Measured as the
demo officers see it: `officer` (every town, looks after many firms) and `officer2` (two towns). A deadline within
two weeks adds the checklist section (the firms in 培育 judged by the engine); the script measures the page as the
calendar stands and prints which sections it shows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    Goals,
    add_backend_argument,
    add_rebuild_argument,
    county_app,
    interleaved_medians,
    logged_in_client,
)

GOAL = 1.5
USERS = ("officer", "officer2")


def statements(app, client) -> int:
    from sqlalchemy import event

    from pipeline.extensions import db

    counted = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: counted.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get("/workbench/")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    if response.status_code != 200:
        raise SystemExit(f"GET /workbench/ answered {response.status_code}")
    return len(counted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_backend_argument(parser)
    add_rebuild_argument(parser)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    goals = Goals()
    apps = {size: county_app(size, args.backend, goals, rebuild=args.rebuild) for size in (args.small, args.large)}
    print(f"workbench at {args.large:,} firms vs {args.small:,} on {args.backend}, median of {args.rounds} rounds; "
          f"goal ≤ {GOAL}× and no more statements")
    print(f"{'user':10} {'ms small':>9} {'ms large':>9} {'ratio':>6}  {'verdict':7} {'statements':>11}")
    for username in USERS:
        clients = {size: logged_in_client(app, username) for size, app in apps.items()}
        calls = {size: (lambda c=client: c.get("/workbench/")) for size, client in clients.items()}
        medians = interleaved_medians(calls, args.rounds)
        counts = {size: statements(apps[size], clients[size]) for size in apps}
        ratio = medians[args.large] / medians[args.small]
        verdict = goals.check(ratio <= GOAL and counts[args.large] <= counts[args.small])
        print(f"{username:10} {medians[args.small] * 1000:9.1f} {medians[args.large] * 1000:9.1f} {ratio:6.2f}  "
              f"{verdict:7} {counts[args.small]:>5}/{counts[args.large]:<5}", flush=True)
    return goals.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
