"""Time run_evaluate on 10,000 varied profiles: `python bench/bench_evaluate.py [COUNT]`.

Goal (issue 9): the `flask evaluate` engine on 10,000 profiles in under 10 s, i.e. at least 1,000 profiles a second
(the rate is what is checked, so that a smaller COUNT checks the same goal). Exits 1 when it is missed."""

import argparse
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Goals  # noqa: E402 - after the path set-up above
from pipeline.evaluate_cli import run_evaluate  # noqa: E402

GOAL_SECONDS, GOAL_PROFILES = 10.0, 10_000

DOMAINS = ["电子信息", "新材料", "先进制造与自动化", "生物与新医药", "纺织", None]


def _amount(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randint(low * 100, high * 100) / 100:.2f}"


def make_year(rng: random.Random) -> dict:
    """Return one year's figures, sometimes over the 科小 size limits or short of a 高企 share."""
    employees = rng.randint(5, 700)
    sales = rng.randint(0, 30000)
    total_revenue = sales + rng.randint(0, 2000)
    return {
        "employees": employees, "tech_staff": rng.randint(0, employees // 2), "sales": _amount(rng, sales, sales),
        "cost_expense": _amount(rng, sales // 2, sales + 100), "rd": _amount(rng, sales // 100, sales // 12 + 1),
        "total_assets": _amount(rng, 100, 30000), "net_assets": _amount(rng, 0, 15000),
        "total_revenue": str(total_revenue), "high_tech_revenue": _amount(rng, total_revenue // 3, total_revenue),
    }


def make_profile(rng: random.Random) -> dict:
    """Return one random, valid profile; some are young firms with fewer years."""
    registered = rng.choice([2010, 2018, 2023, 2024, 2025])
    years = {str(y): make_year(rng) for y in range(max(2023, registered), 2026)}
    expert = {k: rng.randint(0, top) for k, top in (("advancement", 8), ("rd_management", 20)) if rng.random() < .5}
    return {
        "name": f"企业{rng.randint(1, 99999)}", "registered_on": f"{registered}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "as_of": "2026-06-30", "years": years,
        "ip": {"class_i": rng.choice([0, 0, 1, 2]), "class_ii": rng.randint(0, 8)},
        "hnte_domain": rng.choice(DOMAINS), "conversions_3y": rng.randint(0, 20),
        "flags": {"major_incident": rng.random() < 0.05}, "direct": {"valid_hnte": rng.random() < 0.1},
        "expert": expert,
    }


def main(count: int = GOAL_PROFILES) -> int:
    rng = random.Random(20260630)
    profiles = [make_profile(rng) for _ in range(count)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profiles.json"
        path.write_text(json.dumps(profiles, ensure_ascii=False), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        start = time.perf_counter()
        status = run_evaluate(str(path), out, err)
        elapsed = time.perf_counter() - start
    if status:
        raise SystemExit(f"run_evaluate failed ({status}): {err.getvalue()}")
    results = json.loads(out.getvalue())
    eligible = sum(r["tech_sme"]["eligible"] for r in results)
    verdicts = {v: sum(r["hnte"]["verdict"] == v for r in results) for v in ("pass", "possible", "fail")}
    print(f"{count} profiles in {elapsed:.2f} s = {count / elapsed:,.0f} profiles/s "
          f"(科小 eligible {eligible}; 高企 {verdicts})")
    goals, rate = Goals(), GOAL_PROFILES / GOAL_SECONDS
    print(f"  goal < {GOAL_SECONDS:.0f} s for {GOAL_PROFILES:,} profiles (≥ {rate:,.0f} profiles/s): "
          f"{goals.check(count / elapsed >= rate)}")
    return goals.exit_code()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=GOAL_PROFILES, help="profiles to evaluate")
    raise SystemExit(main(parser.parse_args().count))
