"""Excel imports in two steps: preview (parse, plan, store on the server, write nothing) and confirm (plan again
against the database as it is now, then write everything or nothing)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.db import sqlite_page_cache
from pipeline.extensions import db
from pipeline.firms.models import Industry, Town
from pipeline.imports.columns import IMPORT_COLUMNS, RESULT_COLUMNS
from pipeline.imports.firm_apply import apply_firm_plan
from pipeline.imports.firm_plan import FirmPlan, plan_firm_rows
from pipeline.imports.firm_rows import parse_firm_sheet
from pipeline.imports.models import ImportBatch
from pipeline.imports.reader import Progress, open_sheet
from pipeline.imports.results import apply_results, parse_result_sheet, plan_results
from pipeline.imports.storage import batch_options, batch_payload, save_batch, save_result

SAMPLE = 200  # rows of each kind kept for the preview page (and for the result page)
MAX_ERRORS_SHOWN = 2000
IMPORT_CACHE_KIB = 128 * 1024  # SQLite page cache while an import writes (pipeline.db.sqlite_page_cache)


class ImportRefused(ValueError):
    """The stored upload cannot be written (errors, already done, data changed); the message is Chinese."""


def preview_firm_import(stream, filename: str, *, user: User, token: str, today: date, now: datetime,
                        max_rows: int, progress: Progress | None = None) -> ImportBatch:
    """Parse and plan an uploaded firm/indicator workbook and store it for confirmation; raise ReadError."""
    towns = set(db.session.scalars(select(Town.name)))
    industries = set(db.session.scalars(select(Industry.name)))
    sheet = open_sheet(stream, IMPORT_COLUMNS, max_rows=max_rows)
    try:
        parsed = parse_firm_sheet(sheet, towns=towns, industries=industries, today=today, progress=progress)
    finally:
        sheet.close()
    letters = {column.key: sheet.letter(column.key) for column in sheet.columns.values()}
    plan = plan_firm_rows(parsed.rows, user, letters)
    errors = sorted(parsed.errors + plan.errors, key=lambda e: (e.row, e.column))
    payload = {
        "rows": parsed.rows, "letters": letters, "ignored": parsed.ignored_columns,
        "skipped_example": parsed.skipped_example, "errors": [e.as_dict() for e in errors[:MAX_ERRORS_SHOWN]],
        "counts": {**plan.counts, "error": len({e.row for e in errors})}, "samples": _samples(plan),
        "error_total": len(errors), "warnings": _creation_warnings(plan),
    }
    return save_batch(token, user, "firms", filename, {}, payload, row_count=parsed.seen,
                      error_count=len(errors), now=now)


def _samples(plan: FirmPlan) -> dict[str, list]:
    """The first rows of each kind: for the preview (row number, what changes) and, once written, for the result
    (the firm's id for a link)."""
    samples = {"create": [], "update": []}
    for item in plan.rows:
        bucket = samples.get(item.action)
        if bucket is not None and len(bucket) < SAMPLE:
            bucket.append({"row": item.row, "code": item.code, "name": item.name, "changes": item.changes,
                           "diffs": item.diffs, "firm_id": item.firm_id})
    return samples


def _creation_warnings(plan: FirmPlan) -> dict[str, list[int]]:
    """Rows of firms that will be created incomplete: no 负责专员 (the file has no such column, so none is set) or
    no 成立日期 (without it no track can be evaluated: the age conditions need it)."""
    creates = [item for item in plan.rows if item.action == "create"]
    return {"no_officer": [item.row for item in creates if not item.firm_values.get("officer_id")],
            "no_registered_on": [item.row for item in creates if not item.firm_values.get("registered_on")]}


def confirm_firm_import(batch: ImportBatch, *, user: User, now: datetime, progress: Progress | None = None) -> dict:
    """Write a previewed firm import; refuse when it had errors, was done already, or the data changed since."""
    payload = _confirmable(batch)
    plan = plan_firm_rows(payload["rows"], user, payload["letters"])
    if plan.errors:
        raise ImportRefused(_("预览后数据已发生变化（如乡镇被删除或权限调整），请重新上传文件预览。"))
    with sqlite_page_cache(db.session.connection(), IMPORT_CACHE_KIB):
        counts = apply_firm_plan(plan, actor=user, now=now, progress=progress)
    _mark_applied(batch, now, counts)
    save_result(batch, payload, {"counts": counts, "samples": _samples(plan)})
    return counts


def preview_results_import(stream, filename: str, *, user: User, token: str, track, list_kind: str, today: date,
                           now: datetime, max_rows: int) -> ImportBatch:
    """Parse and match a published results list (认定/公示 or 撤销) and store it for confirmation."""
    sheet = open_sheet(stream, RESULT_COLUMNS, max_rows=max_rows)
    try:
        parsed = parse_result_sheet(sheet, today=today, need_number=list_kind == "certified")
    finally:
        sheet.close()
    plan = plan_results(parsed.rows, track, list_kind, user=user, today=today)
    payload = {"rows": parsed.rows, "errors": [e.as_dict() for e in parsed.errors[:MAX_ERRORS_SHOWN]],
               "error_total": len(parsed.errors), "ignored": sheet.ignored, "matches": plan.as_list(),
               "counts": plan.counts | {"error": len({e.row for e in parsed.errors})}}
    return save_batch(token, user, "results", filename, {"track": track.code, "list_kind": list_kind}, payload,
                      row_count=parsed.seen, error_count=len(parsed.errors), now=now)


def confirm_results_import(batch: ImportBatch, track, *, user: User, now: datetime, today: date) -> dict:
    """Move every matched firm through move_firm in one transaction (认定, or out for a revocation list)."""
    payload = _confirmable(batch)
    options = batch_options(batch)
    plan = plan_results(payload["rows"], track, options["list_kind"], user=user, today=today)
    counts = apply_results(plan, track, options["list_kind"], actor=user, now=now, filename=batch.filename)
    _mark_applied(batch, now, counts)
    return counts


def _confirmable(batch: ImportBatch) -> dict:
    if batch.applied_at is not None:
        raise ImportRefused(_("该文件已经导入过，无需重复确认。"))
    if batch.error_count:
        raise ImportRefused(_("文件中有错误，请修改后重新上传。"))
    return batch_payload(batch)


def _mark_applied(batch: ImportBatch, now: datetime, counts: dict) -> None:
    batch.applied_at = now
    batch.summary = ", ".join(f"{key}={value}" for key, value in counts.items())
    db.session.flush()
