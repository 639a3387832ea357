"""Write a confirmed firm/indicator plan: firms through the funnel's firm services, figures in bulk.

All or nothing: the caller commits once at the end, or rolls back on the first refusal. The written firms are
matched to the live policies once, after all rows are written (many_figures_changed), in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from pipeline.auth.models import User
from pipeline.db import analyze_tables, bulk_insert
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.imports.firm_plan import FACT_DEFAULTS, FirmPlan
from pipeline.imports.reader import Progress
from pipeline.indicators import funnel_link
from pipeline.indicators.models import FirmFacts, FirmYear, Origin, Source, Status
from pipeline.signals import many_figures_changed

CHUNK = 5000
ANALYZE_AFTER_ROWS = 1000


class ApplyError(RuntimeError):
    """A row the firm services refused at confirmation; nothing was written."""


def apply_firm_plan(plan: FirmPlan, *, actor: User, now: datetime, progress: Progress | None = None) -> dict:
    """Create and update firms, then write their figures and facts; return the counts."""
    total = len(plan.rows)
    creates = [item for item in plan.rows if item.action == "create"]
    try:
        ids = funnel_link.create_firms([{"credit_code": i.code, **i.firm_values} for i in creates], actor=actor,
                                       now=now)
    except funnel_link.FirmError as exc:
        raise ApplyError(str(exc)) from None
    for item in creates:
        item.firm_id = ids[item.code]
    if progress:
        progress(len(creates), total, force=True)
    changed = [item for item in plan.rows if item.action == "update" and item.firm_values]
    for done, (item, firm) in enumerate(_firms(changed), start=1):
        try:
            funnel_link.update_firm(firm, item.firm_values, actor=actor, now=now)
        except funnel_link.FirmError as exc:
            raise ApplyError(_("第 %(row)s 行：%(reason)s", row=item.row, reason=exc)) from None
        if progress and done % 500 == 0:
            progress(len(creates) + done, total)
    _write_figures(plan, actor, now)
    _write_facts(plan, actor, now)
    db.session.flush()
    if len(plan.rows) >= ANALYZE_AFTER_ROWS:
        # A large import can grow a table many times over before autovacuum notices: with the old statistics
        # PostgreSQL scanned the whole firm table for each chunk of the next import's lookups (7 s instead of 0.6 s).
        analyze_tables(db.session, Firm.__table__, FirmYear.__table__, FirmFacts.__table__)
    touched = [item.firm_id for item in plan.rows if item.action != "unchanged"]
    if touched:  # policy matching, once for all the firms (a figure save matches its one firm at once)
        many_figures_changed.send(None, firm_ids=touched, actor=actor, now=now)
    if progress:
        progress(total, total)
    return plan.counts


def _firms(items: list) -> list:
    pairs = []
    for start in range(0, len(items), CHUNK):
        chunk = items[start:start + CHUNK]
        firms = {f.id: f for f in db.session.scalars(select(Firm).where(Firm.id.in_([i.firm_id for i in chunk])))}
        pairs.extend((item, firms[item.firm_id]) for item in chunk)
    return pairs


def _stamp(actor: User, now: datetime) -> dict:
    return {"status": Status.CONFIRMED.value, "origin": Origin.IMPORT.value, "updated_by_id": actor.id,
            "updated_at": now, "review_note": ""}


def _write_figures(plan: FirmPlan, actor: User, now: datetime) -> None:
    stamp = _stamp(actor, now)
    new = [{"firm_id": i.firm_id, "fiscal_year": i.year, "source": Source.OFFICIAL.value, **i.figures, **stamp}
           for i in plan.rows if i.figures and i.year_row_id is None]
    changed = [{"id": i.year_row_id, **i.figures, **stamp} for i in plan.rows if i.figures and i.year_row_id]
    _bulk(FirmYear, new, changed)


def _write_facts(plan: FirmPlan, actor: User, now: datetime) -> None:
    stamp = _stamp(actor, now)
    new = [{"firm_id": i.firm_id, "source": Source.OFFICIAL.value, **FACT_DEFAULTS, **i.facts, **stamp}
           for i in plan.rows if i.facts and i.facts_row_id is None]
    changed = [{"id": i.facts_row_id, **i.facts, **stamp} for i in plan.rows if i.facts and i.facts_row_id]
    _bulk(FirmFacts, new, changed)


def _bulk(model, new: list[dict], changed: list[dict]) -> None:
    """New rows through bulk_insert (COPY on PostgreSQL), one shape at a time; changed rows by primary key."""
    shapes: dict[tuple, list[dict]] = {}
    for row in new:
        shapes.setdefault(tuple(row), []).append(row)
    for rows in shapes.values():
        for start in range(0, len(rows), CHUNK):
            bulk_insert(db.session.connection(), model.__table__, rows[start:start + CHUNK])
    for start in range(0, len(changed), CHUNK):
        db.session.execute(update(model), changed[start:start + CHUNK])
