"""Compare parsed rows with the database: what each row would create, update or leave unchanged.

The same plan is computed for the preview and again at confirmation (so a change made in between is seen), with a
fixed number of bulk queries per 5,000 rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.auth.permissions import visible_town_ids
from pipeline.extensions import db
from pipeline.firms.models import Firm, Industry, Town
from pipeline.imports.columns import FACT_COLUMNS, FIRM_COLUMNS
from pipeline.imports.firm_rows import CellProblem, unknown_name
from pipeline.indicators.models import FirmFacts, FirmYear, Source
from pipeline.indicators.values import EXPERT_FACTS, PEOPLE, YEAR_FIELDS

CHUNK = 5000
FIRM_FIELDS = ("name", "town_id", "industry_id", "registered_on", "address", "legal_rep", "contact_name",
               "contact_phone", "contact_email")
FACT_DEFAULTS = {c.key: (None if c.key in EXPERT_FACTS or c.key in ("hnte_domain", "conversions_3y") else
                         0 if c.key in ("ip_class_i", "ip_class_ii") else False)
                 for c in FACT_COLUMNS}
_HEADERS = {c.key: c.header for c in FIRM_COLUMNS}
# Change labels are the Chinese column headers (the file's own language), not translated per row.
YEAR_CHANGE = "年度指标"
FACTS_CHANGE = "知识产权等企业信息"


@dataclass
class RowPlan:
    """What one row does: action 'create' | 'update' | 'unchanged', with the firm fields and figures to write."""

    row: int
    code: str
    name: str
    action: str
    firm_id: int | None = None
    firm_values: dict = field(default_factory=dict)  # model field → new value (all fields for a create)
    year: int | None = None
    figures: dict | None = None  # to write (None: unchanged or absent)
    year_row_id: int | None = None
    facts: dict | None = None
    facts_row_id: int | None = None
    changes: list[str] = field(default_factory=list)
    diffs: list[tuple[str, str, str]] = field(default_factory=list)  # (column header, old, new) of firm fields


@dataclass
class FirmPlan:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[CellProblem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(r.action for r in self.rows)
        return {"create": counts["create"], "update": counts["update"], "unchanged": counts["unchanged"],
                "error": len({e.row for e in self.errors})}


@dataclass
class _Db:
    firms: dict[str, tuple] = field(default_factory=dict)  # code → (id, *FIRM_FIELDS)
    years: dict[tuple[int, int], tuple] = field(default_factory=dict)  # (firm, year) → (row id, *figures)
    facts: dict[int, tuple] = field(default_factory=dict)  # firm → (row id, *facts)
    towns: dict[str, int] = field(default_factory=dict)
    industries: dict[str, int] = field(default_factory=dict)


def plan_firm_rows(rows: list[dict], user: User, letters: dict[str, str]) -> FirmPlan:
    """Plan every parsed row against the current database, checking the user's town scope.

    `letters` maps field keys to the sheet's column letters, for the messages.
    """
    known = _load(rows)
    towns = visible_town_ids(user)
    plan = FirmPlan()
    for row in rows:
        failure, item = _plan_row(row, known, towns)
        if failure:
            key, message = failure
            plan.errors.append(CellProblem(row["r"], letters.get(key, ""), _HEADERS[key], message))
        else:
            plan.rows.append(item)
    return plan


def _load(rows: list[dict]) -> _Db:
    known = _Db()
    known.towns = dict(db.session.execute(select(Town.name, Town.id)).all())
    known.industries = dict(db.session.execute(select(Industry.name, Industry.id)).all())
    codes = [row["code"] for row in rows]
    firm_cols = [getattr(Firm, name) for name in FIRM_FIELDS]
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start:start + CHUNK]
        for code, *values in db.session.execute(select(Firm.credit_code, Firm.id, *firm_cols)
                                                .where(Firm.credit_code.in_(chunk))):
            known.firms[code] = tuple(values)
    years = sorted({row["year"] for row in rows if row["fig"]})
    ids = [values[0] for values in known.firms.values()]
    fact_cols = [getattr(FirmFacts, c.key) for c in FACT_COLUMNS]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        if years:
            for firm_id, year, *values in db.session.execute(select(
                    FirmYear.firm_id, FirmYear.fiscal_year, FirmYear.id, *[getattr(FirmYear, f) for f in YEAR_FIELDS])
                    .where(FirmYear.source == Source.OFFICIAL.value, FirmYear.fiscal_year.in_(years),
                           FirmYear.firm_id.in_(chunk))):
                known.years[(firm_id, year)] = tuple(values)
        for firm_id, *values in db.session.execute(select(FirmFacts.firm_id, FirmFacts.id, *fact_cols).where(
                FirmFacts.source == Source.OFFICIAL.value, FirmFacts.firm_id.in_(chunk))):
            known.facts[firm_id] = tuple(values)
    return known


def _plan_row(row: dict, known: _Db, towns: set[int] | None) -> tuple[tuple[str, str] | None, RowPlan | None]:
    existing = known.firms.get(row["code"])
    values = _model_values(row["firm"], known)
    item = RowPlan(row["r"], row["code"], row["firm"].get("name") or (existing[1] if existing else ""), "unchanged")
    for key in ("town", "industry"):
        if key in row["firm"] and values[f"{key}_id"] is None:
            return (key, unknown_name(key, row["firm"][key])), None
    if existing is None:
        missing = [key for key in ("name", "town") if not row["firm"].get(key)]
        if missing:
            return (missing[0], _("系统中没有该企业，新建时须填写企业名称和乡镇/街道。")), None
        if towns is not None and values["town_id"] not in towns:
            return ("town", _("您无权在该乡镇/街道新建企业。")), None
        item.action, item.firm_values = "create", values
    else:
        current = dict(zip(("id", *FIRM_FIELDS), existing, strict=True))
        item.firm_id = current["id"]
        if towns is not None and (current["town_id"] not in towns or values.get("town_id", current["town_id"])
                                  not in towns):
            return ("credit_code", _("该企业不在您负责的乡镇/街道，无权修改。")), None
        item.firm_values = {k: v for k, v in values.items() if v != current[k]}
        item.changes = [_HEADERS[k.removesuffix("_id")] for k in item.firm_values]
        item.diffs = [(_HEADERS[k.removesuffix("_id")], _shown(k, current[k], known), _shown(k, v, known))
                      for k, v in item.firm_values.items()]
    _plan_figures(row, item, known)
    _plan_facts(row, item, known)
    if item.action == "unchanged" and (item.firm_values or item.figures or item.facts):
        item.action = "update"
    return None, item


def _shown(key: str, value, known: _Db) -> str:
    """A firm field's value as the file writes it: town and industry by name, dates as yyyy-mm-dd."""
    if value is None:
        return ""
    names = {"town_id": known.towns, "industry_id": known.industries}.get(key)
    if names is not None:
        return next((name for name, id_ in names.items() if id_ == value), "")
    return value.isoformat() if isinstance(value, date) else str(value)


def _model_values(firm: dict, known: _Db) -> dict:
    values = {}
    for key, value in firm.items():
        if key == "town":
            values["town_id"] = known.towns.get(value)
        elif key == "industry":
            values["industry_id"] = known.industries.get(value)
        elif key == "registered_on":
            values[key] = date.fromisoformat(value)
        else:
            values[key] = value
    return values


def _plan_figures(row: dict, item: RowPlan, known: _Db) -> None:
    if not row["fig"]:
        return
    item.year = row["year"]
    new = {k: int(v) if k in PEOPLE else Decimal(v) for k, v in row["fig"].items()}
    old = known.years.get((item.firm_id, item.year)) if item.firm_id else None
    if old is not None:
        item.year_row_id = old[0]
        if dict(zip(YEAR_FIELDS, old[1:], strict=True)) == new:
            return
    item.figures = new
    item.changes.append(f"{item.year} {YEAR_CHANGE}")


def _plan_facts(row: dict, item: RowPlan, known: _Db) -> None:
    if not row["facts"]:
        return
    old = known.facts.get(item.firm_id) if item.firm_id else None
    current = dict(zip((c.key for c in FACT_COLUMNS), old[1:], strict=True)) if old else FACT_DEFAULTS
    item.facts_row_id = old[0] if old else None
    changed = {k: v for k, v in row["facts"].items() if current[k] != v}
    if changed:
        item.facts = changed
        item.changes.append(FACTS_CHANGE)

