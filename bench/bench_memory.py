"""Peak memory of a web worker during exports and the monthly report at 100,000 firms (goal < 400 MB), and the
time of each Excel export (issue 23: ≤ 30 s, gunicorn's default timeout).

`python bench/bench_memory.py [--firms 100000] [--backend sqlite|postgresql] [--only Excel]`

Each request runs in a fresh `gunicorn -w 1` worker on the county, logged in over HTTP as the admin (who sees every
firm); the worker's peak RSS (VmHWM in /proc) is read after the response and set against the RSS of the same worker
idle after its login. The monthly report renders in a thread of the worker, so its peak counts too. Beside the wall
time, the worker's CPU time during the request (/proc/<pid>/stat) and the machine's speed: on a shared machine the
wall time follows the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Goals, add_backend_argument, add_rebuild_argument, county_app, python_loop_ms  # noqa: E402
from bench.live_server import Client, GunicornServer, cpu_seconds, memory_mb  # noqa: E402

GOAL_MB = 400
EXPORT_GOAL_SECONDS = 30  # an export must fit in gunicorn's default timeout (issue 23)


def last_month(app) -> str:
    """The key of the month before the app's local today (the month the reports page offers first)."""
    from pipeline.domain.periods import month_period, previous_period
    from pipeline.i18n import local_today

    with app.app_context():
        today = local_today()
    return previous_period(month_period(today.year, today.month)).key


def _render_report(client: Client, month: str) -> tuple[int, bytes]:
    """Start a month's render as the page's form does, wait for its thread, then download the PDF."""
    status, body = client.post("/reports/render", {"month": month}, token_from="/reports/")
    render_id = parse_qs(urlsplit(client.location).query).get("render", [""])[0]
    if status != 302 or not render_id:
        return status, body
    state = "running"
    while state == "running":
        time.sleep(0.5)
        status, body = client.get(f"/reports/renders/{render_id}")
        state = json.loads(body)["status"] if status == 200 else "failed"
    if state != "done":
        return 500, body
    return client.get(f"/reports/{month}.pdf")


def requests(month: str) -> dict:
    """What is measured: name → the request, given a logged-in Client."""
    return {
        "Excel 企业名单 (all firms)": lambda c: c.get("/excel/export/firms.xlsx"),
        "Excel 培育库名单": lambda c: c.get("/excel/export/pool.xlsx"),
        "Excel 奖补台账": lambda c: c.get("/policies/incentives.xlsx"),
        "月报 PDF (render + download)": partial(_render_report, month=month),
        "企业名单 first page": lambda c: c.get("/firms/"),
        "培育档案 PDF of firm 1": lambda c: c.get("/certificates/firms/1/dossier.pdf"),
    }


def measure(url: str, request) -> tuple[float, float, float, float, int, int]:
    """(idle RSS, peak RSS, seconds, the worker's CPU seconds, HTTP status, bytes) of one request in a fresh
    worker."""
    with GunicornServer(url, workers=1) as server:
        (worker,) = server.worker_pids()
        client = Client(server.port).log_in("admin")
        idle = memory_mb(worker)["VmRSS"]
        started, cpu = time.perf_counter(), cpu_seconds([worker])
        status, body = request(client)
        seconds, cpu = time.perf_counter() - started, cpu_seconds([worker]) - cpu
        peak = memory_mb(worker)["VmHWM"]
        client.close()
    return idle, peak, seconds, cpu, status, len(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    add_backend_argument(parser)
    add_rebuild_argument(parser)
    parser.add_argument("--only", default="", help="measure only the requests whose name contains this text")
    args = parser.parse_args()
    goals = Goals()
    app = county_app(args.firms, args.backend, goals, rebuild=args.rebuild)
    print(f"peak RSS of one gunicorn worker, {args.firms:,} firms, {args.backend} (goal < {GOAL_MB} MB; Excel exports "
          f"also ≤ {EXPORT_GOAL_SECONDS} s); machine speed: a Python loop {python_loop_ms():.0f} ms")
    for name, request in requests(last_month(app)).items():
        if args.only not in name:
            continue
        idle, peak, seconds, cpu, status, size = measure(app.config["SQLALCHEMY_DATABASE_URI"], request)
        timed = name.startswith("Excel")
        ok = status == 200 and peak < GOAL_MB and (not timed or seconds <= EXPORT_GOAL_SECONDS)
        print(f"  {name:<28} idle {idle:6.0f} MB  peak {peak:6.0f} MB  (+{peak - idle:5.0f})  {seconds:6.1f} s  "
              f"(worker CPU {cpu:5.1f} s{f', goal ≤ {EXPORT_GOAL_SECONDS} s' if timed else ''})  HTTP {status}  {size / 1e6:6.1f} MB out  "
              f"{goals.check(ok)}", flush=True)
    return goals.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
