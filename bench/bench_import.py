"""Time a 50,000-row firm/indicator import (preview + confirm, then the re-import preview) against openpyxl alone
reading the same file: `python bench/bench_import.py [--rows N] [--backend sqlite|postgresql]`, in a scratch
database (/tmp/pipeline-bench-import.db or PostgreSQL pipeline_bench_import) that it wipes.

Goals (issue 9): each import within a minute and at most 3× openpyxl alone, in wall and in CPU time. openpyxl alone
is timed once before and once after the imports and the mean of the two is the baseline, so that a change of load
during the run weighs on both sides of the ratio (they cannot take turns round by round: an import is a minute)."""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook, load_workbook  # noqa: E402

from bench.common import Goals, add_backend_argument, scratch_url  # noqa: E402
from pipeline.demo import INDUSTRIES, TOWNS, demo_credit_code  # noqa: E402
from pipeline.imports.columns import IMPORT_COLUMNS  # noqa: E402

LIMIT_SECONDS = 60


def make_file(rows: int, seed: int = 2026) -> bytes:
    """A realistic workbook: every firm column, one year of figures and the firm facts."""
    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("企业与指标")
    sheet.append([c.header for c in IMPORT_COLUMNS])
    for index in range(1, rows + 1):
        employees = rng.randint(5, 600)
        sales = rng.randint(100, 30000)
        total_revenue = sales + rng.randint(0, 500)
        rd = round(sales * rng.uniform(0.005, 0.09), 2)
        values = {
            "credit_code": demo_credit_code(700000 + index), "name": f"基准测试企业{index}有限公司",
            "town": rng.choice(TOWNS), "industry": rng.choice(INDUSTRIES),
            "registered_on": date(2005, 1, 1).replace(year=rng.randint(2005, 2023)), "address": f"新昌县测试路 {index} 号",
            "legal_rep": "张三", "contact_name": "李四", "contact_phone": f"138{index:08d}",
            "contact_email": f"firm{index}@example.com", "fiscal_year": 2025, "employees": employees,
            "tech_staff": rng.randint(0, employees // 2), "sales": sales, "cost_expense": round(sales * 0.8, 2),
            "rd": rd, "rd_domestic": rd, "total_assets": rng.randint(100, 30000), "net_assets": rng.randint(0, 15000),
            "total_revenue": total_revenue, "high_tech_revenue": round(total_revenue * rng.uniform(0.2, 0.9), 2),
            "ip_class_i": rng.choice([0, 0, 1, 2]), "ip_class_ii": rng.randint(0, 8), "hnte_domain": "新材料",
            "conversions_3y": rng.randint(0, 15),
        }
        sheet.append([values.get(c.key) for c in IMPORT_COLUMNS])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def read_alone(data: bytes) -> int:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count


def timed(label: str, func):
    """Run func; print wall time and this process's CPU time (the latter hardly moves when the machine is busy)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = func()
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    print(f"{label:<38} {elapsed:7.2f} s  (CPU {used:6.2f} s)", flush=True)
    return result, (elapsed, used)


def main() -> int:
    from config import TestConfig
    from pipeline import create_app

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    add_backend_argument(parser)
    args = parser.parse_args()
    rows = args.rows
    url = scratch_url("import", args.backend)
    app = create_app(TestConfig(env={**os.environ, "TEST_DATABASE_URL": url}))
    data, _ = timed(f"write a {rows:,}-row file", lambda: make_file(rows))
    print(f"{'file size':<38} {len(data) / 1e6:7.1f} MB")
    with app.app_context():
        user = prepare_database()
        _, before = timed("openpyxl alone, before the imports", lambda: read_alone(data))
        imports = {"first import": run_import(data, user, "first import"),
                   "re-import of the same file": run_import(data, user, "re-import of the same file")}
        _, after = timed("openpyxl alone, after the imports", lambda: read_alone(data))
    alone = ((before[0] + after[0]) / 2, (before[1] + after[1]) / 2)
    print(f"{'openpyxl alone: mean of before, after':<38} {alone[0]:7.2f} s  (CPU {alone[1]:6.2f} s), the baseline")
    for label, (wall, cpu) in imports.items():
        print(f"{'  ratio, ' + label:<38} {wall / alone[0]:7.1f} ×  (CPU {cpu / alone[1]:6.1f} ×) openpyxl alone")
    goals = Goals()
    for kind, index in (("wall", 0), ("CPU", 1)):
        ok = all(seconds[index] < LIMIT_SECONDS for seconds in imports.values())
        print(f"{'within a minute each (' + kind + ')':<38} {goals.check(ok)}")
        ratio = max(seconds[index] for seconds in imports.values()) / alone[index]
        print(f"{'≤ 3× openpyxl alone (' + kind + ')':<38} {ratio:.1f}× {goals.check(ratio <= 3)}")
    print(f"{'load average (1, 5, 15 min)':<38} {os.getloadavg()}  on {os.cpu_count()} CPUs")
    return goals.exit_code()


def prepare_database():
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from pipeline.auth.models import Role, User
    from pipeline.extensions import db
    from pipeline.firms.models import Industry, Town

    if inspect(db.engine).get_table_names():
        downgrade(revision="base")
    upgrade()
    db.session.add_all([Town(name=name, sort_order=i) for i, name in enumerate(TOWNS)])
    db.session.add_all([Industry(name=name, sort_order=i) for i, name in enumerate(INDUSTRIES)])
    user = User(username="bench", password_hash="x", role=Role.OFFICER, display_name="基准")
    db.session.add(user)
    db.session.commit()
    return user


def run_import(data: bytes, user, label: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one import's preview and, if it has rows to write, its confirm."""
    from pipeline.extensions import db
    from pipeline.imports.services import confirm_firm_import, preview_firm_import
    from pipeline.imports.storage import batch_payload, new_token

    now = datetime.now(UTC)
    with db.session.no_autoflush:
        batch, preview = timed(f"{label}: preview", lambda: preview_firm_import(
            io.BytesIO(data), "bench.xlsx", user=user, token=new_token(), today=date(2026, 6, 30), now=now,
            max_rows=200_000))
    db.session.commit()
    counts = batch_payload(batch)["counts"]
    print(f"{'':<38} {counts}")
    confirm = (0.0, 0.0)
    if counts["create"] or counts["update"]:
        _, confirm = timed(f"{label}: confirm", lambda: confirm_firm_import(batch, user=user, now=now))
        db.session.commit()
    wall, cpu = preview[0] + confirm[0], preview[1] + confirm[1]
    print(f"{label + ': preview + confirm':<38} {wall:7.2f} s  (CPU {cpu:6.2f} s)")
    return wall, cpu


if __name__ == "__main__":
    raise SystemExit(main())
