"""The monthly funnel report at province scale: statistics + annex lists, then the PDF (goal: < 10 s at 100,000 firms).

    python bench/bench_report.py                          # SQLite, the 100,000-firm bench county (built if missing)
    python bench/bench_report.py --backend postgresql --firms 10000 --out /tmp/report.pdf
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Goals, add_backend_argument, add_rebuild_argument, county_app, python_loop_ms  # noqa: E402

GOAL_SECONDS = 10.0


def annexes(context, pdf: bytes) -> str:
    """What the report shows, to check that it still renders its annexes: each list's rows shown of its total, the
    charts of each track (the trend among them), the incentives' table, and the PDF's pages."""
    import io

    from pypdf import PdfReader  # the tests' PDF reader

    lists = ", ".join(f"{annex.title} {len(annex.rows)}/{annex.total}" for annex in (*context.movements, *context.risks))
    charts = "; ".join(f"{code}: {' '.join(sorted(kinds))}" for code, kinds in context.charts.items())
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return (f"annex lists (rows shown/total): {lists}; charts {charts}; incentives "
            f"{'yes' if context.incentives is not None else 'no'}; {pages} PDF pages")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--out", type=Path, help="write the PDF here")
    add_backend_argument(parser)
    add_rebuild_argument(parser)
    args = parser.parse_args()
    goals = Goals()
    app = county_app(args.firms, args.backend, goals, rebuild=args.rebuild)

    from pipeline.domain.periods import month_period, previous_period
    from pipeline.i18n import local_zone
    from pipeline.reports.context import build_report_context
    from pipeline.reports.pdf import render_report_pdf

    with app.test_request_context():  # pushes an app context too
        now, zone = datetime.now(UTC), local_zone()
        local = now.astimezone(zone)
        last_month = previous_period(month_period(local.year, local.month))
        started, cpu = time.perf_counter(), time.process_time()
        context = build_report_context(last_month, now=now, zone=zone, authority=app.config["PIPELINE_AUTHORITY_NAME"],
                                       annex_limit=app.config["PIPELINE_REPORT_ANNEX_LIMIT"])
        context_seconds = time.perf_counter() - started
        pdf = render_report_pdf(context)
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu
    print(f"report of {last_month.key} at {args.firms:,} firms "
          f"({args.backend}): statistics and lists {context_seconds:.2f} s + PDF {total - context_seconds:.2f} s "
          f"= {total:.2f} s wall ({cpu:.2f} s CPU in this process), {len(pdf):,} bytes")
    print(f"  goal < {GOAL_SECONDS:.0f} s: {goals.check(total < GOAL_SECONDS)}  "
          f"[machine: a 5M-step Python loop {python_loop_ms():.0f} ms]")
    print("  " + annexes(context, pdf))
    if args.out:
        args.out.write_bytes(pdf)
    return goals.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
