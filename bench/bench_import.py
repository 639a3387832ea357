"""Time a 50,000-row firm/indicator import (preview + confirm, then the re-import of the same file) against
python-calamine alone reading the same file: `python bench/bench_import.py [--rows N] [--backend sqlite|postgresql]`,
in a scratch database (/tmp/pipeline-bench-import<TAG>.db or PostgreSQL pipeline_bench_import<TAG>, $BENCH_TAG) that
it wipes. The county has two published policies, so the confirm's policy matching of the written firms is timed too.

Goals (issue 23): each import (preview + confirm) within 10 s and at most 2× python-calamine alone, in wall and in
CPU time (this process's CPU: the machine is shared and loaded, and CPU time hardly moves with the load). calamine
alone is timed before and after the imports and the mean of the two is the baseline, so that a change of load
during the run weighs on both sides of the ratio. openpyxl alone (the reader before issue 23) is printed for
comparison only. The machine's speed (python_loop_ms) and load average are printed beside the figures."""

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
from python_calamine import CalamineWorkbook  # noqa: E402

from bench.common import Goals, add_backend_argument, python_loop_ms, scratch_url  # noqa: E402
from pipeline.demo import INDUSTRIES, TOWNS, demo_credit_code  # noqa: E402
from pipeline.imports.columns import IMPORT_COLUMNS  # noqa: E402

LIMIT_SECONDS = 10
MAX_RATIO = 2


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


def openpyxl_alone(data: bytes) -> int:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count


def calamine_alone(data: bytes) -> int:
    """Every row of the sheet as Python values: what the import's reader gets from calamine, nothing more."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    count = sum(1 for _ in book.get_sheet_by_index(0).iter_rows())
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
    url = scratch_url(f"import{os.environ.get('BENCH_TAG', '')}", args.backend)
    app = create_app(TestConfig(env={**os.environ, "TEST_DATABASE_URL": url}))
    print(f"{args.backend}: {rows:,} rows; machine speed {python_loop_ms():.0f} ms (python_loop_ms)", flush=True)
    data, _ = timed(f"write a {rows:,}-row file", lambda: make_file(rows))
    print(f"{'file size':<38} {len(data) / 1e6:7.1f} MB")
    timed("openpyxl alone (for comparison)", lambda: openpyxl_alone(data))
    with app.app_context():
        user = prepare_database()
        _, before = timed("calamine alone, before the imports", lambda: calamine_alone(data))
        imports = {"first import": run_import(data, user, "first import"),
                   "re-import of the same file": run_import(data, user, "re-import of the same file")}
        _, after = timed("calamine alone, after the imports", lambda: calamine_alone(data))
    alone = ((before[0] + after[0]) / 2, (before[1] + after[1]) / 2)
    print(f"{'calamine alone: mean of before, after':<38} {alone[0]:7.2f} s  (CPU {alone[1]:6.2f} s), the baseline")
    for label, (wall, cpu) in imports.items():
        print(f"{'  ratio, ' + label:<38} {wall / alone[0]:7.1f} ×  (CPU {cpu / alone[1]:6.1f} ×) calamine alone")
    goals = Goals()
    for kind, index in (("wall", 0), ("CPU", 1)):
        for label, seconds in imports.items():
            print(f"{label + ' ≤ ' + str(LIMIT_SECONDS) + ' s (' + kind + ')':<38} {seconds[index]:7.2f} s "
                  f"{goals.check(seconds[index] <= LIMIT_SECONDS)}")
            ratio = seconds[index] / alone[index]
            print(f"{label + ' ≤ ' + str(MAX_RATIO) + '× calamine (' + kind + ')':<38} {ratio:7.1f} × "
                  f"{goals.check(ratio <= MAX_RATIO)}")
    print(f"{'load average (1, 5, 15 min)':<38} {os.getloadavg()}  on {os.cpu_count()} CPUs; machine speed "
          f"{python_loop_ms():.0f} ms")
    return goals.exit_code()


def prepare_database():
    from flask_migrate import upgrade
    from sqlalchemy import inspect

    from bench.common import _wipe
    from pipeline.auth.models import Role, User
    from pipeline.extensions import db
    from pipeline.firms.models import Industry, Town

    if inspect(db.engine).get_table_names():
        _wipe(db)  # whatever revision an earlier run left (a downgrade needs the migrations of that day)
    upgrade()
    db.session.add_all([Town(name=name, sort_order=i) for i, name in enumerate(TOWNS)])
    db.session.add_all([Industry(name=name, sort_order=i) for i, name in enumerate(INDUSTRIES)])
    user = User(username="bench", password_hash="x", role=Role.OFFICER, display_name="基准")
    db.session.add(user)
    db.session.flush()
    publish_bench_policies(user)
    db.session.commit()
    return user


def publish_bench_policies(author) -> None:
    """Two live policies, one on figures (R&D share) and one on the firm (its town), as a county has: the confirm
    matches every written firm against them."""
    from decimal import Decimal

    from pipeline.domain.policy import PolicyConditions
    from pipeline.extensions import db
    from pipeline.firms.models import Town
    from pipeline.policies.services import publish_policy, save_policy

    now = datetime.now(UTC)
    town = db.session.scalars(Town.__table__.select().with_only_columns(Town.id).limit(1)).first()
    for title, conditions in (("研发投入补助", PolicyConditions(rd_sales_min=Decimal("0.04"))),
                              ("乡镇企业扶持", PolicyConditions(towns=(town,)))):
        values = dict(title=title, issuer="新昌县人民政府", document_number="", effective_from=date(2022, 1, 1),
                      effective_to=None, summary="", next_step="", benefit_kind="other", benefit_amount=None,
                      benefit_rate=None, benefit_cap=None, benefit_text="优先支持", is_award=False)
        publish_policy(save_policy(None, values, conditions, actor=author, now=now), now=now)


def run_import(data: bytes, user, label: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one import's preview and, if it has rows to write, its confirm; each with its commit,
    as the request makes it."""
    from pipeline.extensions import db
    from pipeline.imports.services import confirm_firm_import, preview_firm_import
    from pipeline.imports.storage import batch_payload, new_token

    now = datetime.now(UTC)

    def preview():
        with db.session.no_autoflush:
            batch = preview_firm_import(io.BytesIO(data), "bench.xlsx", user=user, token=new_token(),
                                        today=date(2026, 6, 30), now=now, max_rows=200_000)
        db.session.commit()
        return batch

    def confirm():
        counts = confirm_firm_import(batch, user=user, now=now)
        db.session.commit()
        return counts

    batch, preview_time = timed(f"{label}: preview", preview)
    counts = batch_payload(batch)["counts"]
    print(f"{'':<38} {counts}")
    confirm_time = (0.0, 0.0)
    if counts["create"] or counts["update"]:
        _, confirm_time = timed(f"{label}: confirm", confirm)
    wall, cpu = preview_time[0] + confirm_time[0], preview_time[1] + confirm_time[1]
    print(f"{label + ': preview + confirm':<38} {wall:7.2f} s  (CPU {cpu:6.2f} s)", flush=True)
    return wall, cpu


if __name__ == "__main__":
    raise SystemExit(main())
