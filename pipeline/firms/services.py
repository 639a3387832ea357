"""Creating and editing firms; every change of a field is logged in FirmEdit (who, when, old → new)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.db import bulk_insert
from pipeline.domain.credit_code import CreditCodeError, validate_credit_code
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.firms.models import Firm, FirmEdit, Industry, Town
from pipeline.firms.sort_key import name_sort_key
from pipeline.hygiene import text_problem
from pipeline.i18n import error_text

# Fields a firm record has, with the label the edit log shows.
FIELD_LABELS = {
    "credit_code": N_("统一社会信用代码"),
    "name": N_("企业名称"),
    "town_id": N_("乡镇/街道"),
    "industry_id": N_("行业"),
    "registered_on": N_("成立日期"),
    "address": N_("地址"),
    "legal_rep": N_("法定代表人"),
    "contact_name": N_("联系人"),
    "contact_phone": N_("联系电话"),
    "contact_email": N_("联系邮箱"),
    "officer_id": N_("负责专员"),
    "notes": N_("专员备注"),
    "created": N_("新建企业"),
}
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


class FirmError(ValueError):
    """Bad input for a firm (Chinese message); `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _check_credit_code(code: str, firm: Firm | None) -> str:
    try:
        code = validate_credit_code(code)
    except CreditCodeError as exc:
        raise FirmError(error_text(exc), "credit_code") from None
    other = db.session.scalar(select(Firm.id).where(Firm.credit_code == code))
    if other is not None and (firm is None or other != firm.id):
        raise FirmError(_("统一社会信用代码 %(code)s 已登记在另一家企业名下。", code=code), "credit_code")
    return code


def _stripped(values: dict) -> dict:
    """Text values stripped; control characters refused, and line breaks in every field but the notes: names and
    contact details are one line wherever they come from (form, import, command, code)."""
    unknown = set(values) - set(FIELD_LABELS) - {"created"}
    if unknown:
        raise ValueError(f"unknown firm fields: {sorted(unknown)}")
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    for key, value in values.items():
        problem = text_problem(value, single_line=key != "notes") if isinstance(value, str) else None
        if problem:
            raise FirmError(f"{_(FIELD_LABELS[key])}：{problem}", key)
    return values


def _clean(values: dict, firm: Firm | None) -> dict:
    values = _stripped(values)
    if "credit_code" in values:
        values["credit_code"] = _check_credit_code(values["credit_code"], firm)
    if "name" in values and not values["name"]:
        raise FirmError(_("企业名称不能为空。"), "name")
    return values


def create_firm(values: dict, *, actor: User | None, now: datetime) -> Firm:
    """Register a firm (the credit code is checked and must be new) and log its creation."""
    values = _clean(values, None)
    if "credit_code" not in values or "town_id" not in values:
        raise FirmError(_("须填写统一社会信用代码和乡镇/街道。"))
    firm = Firm(**values, created_at=now, updated_at=now)
    db.session.add(firm)
    db.session.flush()
    db.session.add(FirmEdit(firm_id=firm.id, user_id=actor.id if actor else None, at=now, field="created",
                            old_value="", new_value=f"{firm.name}（{firm.credit_code}）"))
    db.session.flush()
    return firm


_NEW_FIRM = {"industry_id": None, "registered_on": None, "address": "", "legal_rep": "", "contact_name": "",
             "contact_phone": "", "contact_email": "", "officer_id": None, "notes": ""}
_BULK = 2000


def create_firms(rows: list[dict], *, actor: User | None, now: datetime) -> dict[str, int]:
    """Register many firms in a few statements (an Excel import): what create_firm writes, firm and 'created'
    log entry, with the codes checked new in one query per chunk. Returns credit code → firm id."""
    clean = []
    for values in rows:
        values = _stripped(values)
        try:
            values["credit_code"] = validate_credit_code(values.get("credit_code") or "")
        except CreditCodeError as exc:
            raise FirmError(error_text(exc), "credit_code") from None
        if not values.get("name") or not values.get("town_id"):
            raise FirmError("须填写企业名称和乡镇/街道。")
        clean.append({**_NEW_FIRM, **values, "name_sort_key": name_sort_key(values["name"]), "created_at": now,
                      "updated_at": now})
    ids: dict[str, int] = {}
    for start in range(0, len(clean), _BULK):
        chunk = clean[start:start + _BULK]
        taken = db.session.scalar(select(Firm.credit_code).where(Firm.credit_code.in_([v["credit_code"] for v in chunk]))
                                  .limit(1))
        if taken is not None or len({v["credit_code"] for v in chunk}) < len(chunk):
            raise FirmError(f"统一社会信用代码 {taken or ''} 已登记在另一家企业名下。", "credit_code")
        bulk_insert(db.session.connection(), Firm.__table__, chunk)  # COPY on PostgreSQL
        codes = [v["credit_code"] for v in chunk]
        ids.update(db.session.execute(select(Firm.credit_code, Firm.id).where(Firm.credit_code.in_(codes))).all())
    edits = [{"firm_id": ids[v["credit_code"]], "user_id": actor.id if actor else None, "at": now, "field": "created",
              "old_value": "", "new_value": f"{v['name']}（{v['credit_code']}）"} for v in clean]
    bulk_insert(db.session.connection(), FirmEdit.__table__, edits)  # COPY on PostgreSQL
    return ids


def update_firm(firm: Firm, values: dict, *, actor: User | None, now: datetime) -> list[FirmEdit]:
    """Change some fields of a firm; one FirmEdit per field that really changed."""
    values = _clean(values, firm)
    edits = []
    for name, new in values.items():
        old = getattr(firm, name)
        if (old or None) == (new or None):
            continue
        edits.append(FirmEdit(firm_id=firm.id, user_id=actor.id if actor else None, at=now, field=name,
                              old_value=display_value(name, old), new_value=display_value(name, new)))
        setattr(firm, name, new)
    if edits:
        firm.updated_at = now
        db.session.add_all(edits)
        db.session.flush()
    return edits


def display_value(name: str, value) -> str:
    """How a value reads in the edit log: names instead of ids, dates as yyyy-mm-dd."""
    if value is None:
        return ""
    model = {"town_id": Town, "industry_id": Industry, "officer_id": User}.get(name)
    if model is not None:
        row = db.session.get(model, value)
        return "" if row is None else getattr(row, "label", None) or row.name
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
