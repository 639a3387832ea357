"""Run every bench/bench_*.py script in turn and print what each measured (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"=== {script.name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script), *sys.argv[1:]], cwd=HERE.parent)  # noqa: S603
        print(f"--- {script.name}: exit {result.returncode} in {time.perf_counter() - started:.1f} s", flush=True)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
