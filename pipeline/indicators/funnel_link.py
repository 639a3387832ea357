"""The funnel services that indicators and imports use, in one place.

Stage changes go through the funnel's move_firm only; firm records through its create_firm / update_firm (which
keep the edit log). Nothing here decides a move: predict_move asks the same domain table move_firm asks.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import insert

from pipeline.auth.models import User
from pipeline.domain.credit_code import CreditCodeError, validate_credit_code
from pipeline.domain.stages import ExitReason, MoveRequest, Stage, TransitionRefused, check_transition
from pipeline.extensions import db
from pipeline.firms.models import Firm, FirmEdit
from pipeline.firms.services import FirmError, create_firm, update_firm
from pipeline.funnel.services import RecordChanged, acts_as_admin, move_firm, record_state, track_rule

__all__ = ["ExitReason", "FirmError", "RecordChanged", "Stage", "TransitionRefused", "create_firm", "create_firms",
           "move_firm", "predict_move", "refusal_text", "update_firm"]
FIRM_DEFAULTS = {"industry_id": None, "registered_on": None, "address": "", "legal_rep": "", "contact_name": "",
                 "contact_phone": "", "contact_email": "", "officer_id": None, "notes": ""}
CHUNK = 2000


def refusal_text(refusal: Exception) -> str:
    """A refusal in the user's language (the funnel's refusals carry a msgid and its parameters)."""
    template = getattr(refusal, "template", None)
    if template:
        params = getattr(refusal, "params", {}) or {}
        return _(template, **params) if params else _(template)
    return str(refusal)


def predict_move(record, track, to_stage: Stage, *, actor, today: date, **details) -> str | None:
    """None when move_firm would accept the move now, else the reason it would refuse (nothing changes)."""
    request = MoveRequest(to_stage=to_stage, is_admin=acts_as_admin(actor), **details)
    try:
        check_transition(track_rule(track), record_state(record), request, today=today)
    except TransitionRefused as refusal:
        return refusal_text(refusal)
    return None


def create_firms(rows: list[dict], *, actor: User | None, now: datetime) -> dict[str, int]:
    """Register many new firms in a few statements: the rows create_firm writes (the firm and its 'created' log
    entry), for an import whose codes were already checked new in one query. Returns credit code → firm id."""
    clean = []
    for values in rows:
        values = {key: value.strip() if isinstance(value, str) else value for key, value in values.items()}
        try:
            values["credit_code"] = validate_credit_code(values.get("credit_code") or "")
        except CreditCodeError as exc:
            raise FirmError(str(exc), "credit_code") from None
        if not values.get("name") or not values.get("town_id"):
            raise FirmError("须填写企业名称和乡镇/街道。")
        clean.append({**FIRM_DEFAULTS, **values, "created_at": now, "updated_at": now})
    ids: dict[str, int] = {}
    for start in range(0, len(clean), CHUNK):
        result = db.session.execute(insert(Firm).returning(Firm.id, Firm.credit_code), clean[start:start + CHUNK])
        ids.update((code, firm_id) for firm_id, code in result)
    edits = [{"firm_id": ids[v["credit_code"]], "user_id": actor.id if actor else None, "at": now,
              "field": "created", "old_value": "", "new_value": f"{v['name']}（{v['credit_code']}）"} for v in clean]
    for start in range(0, len(edits), CHUNK):
        db.session.execute(insert(FirmEdit), edits[start:start + CHUNK])
    return ids
