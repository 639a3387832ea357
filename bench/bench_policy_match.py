"""Publishing one new policy matches it against every firm of a province-sized county (issue 25).

    python bench/bench_policy_match.py                      # SQLite, the 100,000-firm bench county (built if missing)
    python bench/bench_policy_match.py --backend postgresql --firms 1000

The policy has conditions of every kind the matching reads from the database: a track and its stages, a town list,
and figures (R&D ÷ sales, a revenue band, staff, IP counts, no veto), so every firm's stage, town, first-time
recognitions and confirmed figures are loaded and checked. publish_policy() runs as the page runs it (matching and
storing each firm's qualified / near row, proposing no reward: the policy gives a subsidy by rate); the transaction
is rolled back afterwards, so the county is unchanged and runs compare. Goal: under 60 s at 100,000 firms, the time an
officer waits after 发布 (the gunicorn timeout of the README is 600 s).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Goals, add_backend_argument, add_rebuild_argument, county_app, python_loop_ms  # noqa: E402

GOAL_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=100_000)
    add_backend_argument(parser)
    add_rebuild_argument(parser)
    args = parser.parse_args()
    goals = Goals()
    app = county_app(args.firms, args.backend, goals, rebuild=args.rebuild)

    from sqlalchemy import select

    from pipeline.auth.models import User
    from pipeline.domain.policy import PolicyConditions
    from pipeline.extensions import db
    from pipeline.firms.models import Town
    from pipeline.policies.services import publish_policy, save_policy

    with app.test_request_context():
        now = datetime.now(UTC)
        author = db.session.scalar(select(User).order_by(User.id).limit(1))
        towns = tuple(db.session.scalars(select(Town.id).order_by(Town.id).limit(8)))
        conditions = PolicyConditions(track="hnte", track_name="高新技术企业", stages=("pool", "cultivating", "certified"),
                                      towns=towns, rd_sales_min=Decimal("0.03"), sales_min=Decimal("500"),
                                      sales_max=Decimal("20000"), employees_min=10, ip_class_ii_min=1, no_vetoes=True)
        values = dict(title="研发费用补助（基准测试）", issuer="新昌县人民政府", document_number="", summary="",
                      next_step="", effective_from=date(2022, 1, 1), effective_to=None, benefit_kind="rate",
                      benefit_amount=None, benefit_rate=Decimal("0.1"), benefit_cap=Decimal("100"), benefit_text="",
                      is_award=False)
        policy = save_policy(None, values, conditions, actor=author, now=now)
        started, cpu = time.perf_counter(), time.process_time()
        statuses = publish_policy(policy, now=now)
        db.session.flush()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.session.rollback()  # leave the county as it was
    qualified = sum(s == "qualified" for s in statuses.values())
    near = sum(s == "near" for s in statuses.values())
    print(f"publish one policy against {len(statuses):,} firms ({args.backend}): {seconds:.2f} s wall "
          f"({cpu:.2f} s CPU in this process); {qualified:,} qualify, {near:,} nearly "
          f"[machine: a 5M-step Python loop {python_loop_ms():.0f} ms]")
    print(f"  goal < {GOAL_SECONDS:.0f} s: {goals.check(seconds < GOAL_SECONDS)}")
    return goals.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
