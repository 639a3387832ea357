"""Run every bench/bench_*.py script and print what each measured (`make bench`).

Scripts that use the database run once per backend (default: SQLite, then PostgreSQL on 127.0.0.1:5432);
`--backends sqlite` limits the run. The 100,000-firm counties are built by the first script that needs them and
reused afterwards (bench/common.py); `--rebuild` builds them again in this run, so that the build time is among the
run's figures: bench_pages.py, which opens both the 1,000- and the 100,000-firm county, then runs first on each backend
and is given --rebuild.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REBUILDER = "bench_pages.py"  # opens both counties (1,000 and 100,000 firms)
sys.path.insert(0, str(HERE.parent))

from bench.common import python_loop_ms  # noqa: E402


def uses_database(script: Path) -> bool:
    return "add_backend_argument" in script.read_text(encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--only", default="", help="comma-separated script names, e.g. bench_pages,bench_moves")
    parser.add_argument("--rebuild", action="store_true", help="build the counties again (bench_pages.py, first)")
    args = parser.parse_args()
    only = {name.strip().removesuffix(".py") for name in args.only.split(",") if name.strip()}
    failures = 0
    # With --rebuild the script that opens both counties runs first, so that each is built once, in this run.
    scripts = sorted(HERE.glob("bench_*.py"), key=lambda path: (not (args.rebuild and path.name == REBUILDER), path.name))
    for script in scripts:
        if only and script.stem not in only:
            continue
        backends = args.backends.split(",") if uses_database(script) else [""]
        for backend in backends:
            extra = ["--backend", backend] if backend else []
            if args.rebuild and script.name == REBUILDER:
                extra.append("--rebuild")
            label = f"{script.name} {backend}".rstrip()
            print(f"=== {label} (machine speed: a fixed Python loop takes {python_loop_ms():.0f} ms)", flush=True)
            started = time.perf_counter()
            result = subprocess.run([sys.executable, str(script), *extra], cwd=HERE.parent,  # noqa: S603
                                    env={**os.environ, "PYTHONUNBUFFERED": "1"})
            print(f"--- {label}: exit {result.returncode} in {time.perf_counter() - started:.1f} s", flush=True)
            failures += result.returncode != 0
    print(f"load average (1, 5, 15 min): {os.getloadavg()} on {os.cpu_count()} CPUs")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
