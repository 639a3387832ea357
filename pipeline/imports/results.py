"""Published results lists (公示/认定, or 撤销): match rows to the pipeline by credit code, then move the matched
firms through the funnel's move_firm — to 认定 with the number and date, or out with the reason 资格被撤销.

The list is the authority's decision, so the moves are made as the system (actor None, which may skip a stage);
the note names the officer who imported the list and the file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.auth.permissions import visible_town_ids
from pipeline.domain.credit_code import CreditCodeError, validate_credit_code
from pipeline.domain.stages import Stage
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack
from pipeline.i18n import error_text
from pipeline.imports.firm_apply import ApplyError
from pipeline.imports.firm_rows import CellProblem, Parsed
from pipeline.imports.reader import CellError, Sheet, parse_date
from pipeline.indicators.funnel_link import (
    ExitReason,
    RecordChanged,
    TransitionRefused,
    move_firm,
    predict_move,
    refusal_text,
)

LIST_KINDS = ("certified", "revoked")
STATUS_LABELS = {
    "certify": N_("将移至认定"),
    "certify_name": N_("将移至认定（名称不一致）"),
    "already": N_("已认定"),
    "remove": N_("将移出（资格被撤销）"),
    "remove_name": N_("将移出（名称不一致）"),
    "already_out": N_("已出库"),
    "not_on_track": N_("不在培育库（未在该培育类别）"),
    "unknown": N_("不在培育库（系统中无此企业）"),
    "out_of_scope": N_("不在您负责的乡镇/街道"),
    "refused": N_("无法移动"),
}
MOVES = ("certify", "certify_name", "remove", "remove_name")
_NAME_NOISE = re.compile(r"[\s()（）]")


@dataclass
class Match:
    row: int
    code: str
    name: str
    status: str
    firm_name: str = ""
    firm_id: int | None = None
    record_id: int | None = None
    number: str | None = None
    date: str | None = None
    message: str = ""


@dataclass
class ResultPlan:
    matches: list[Match] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(m.status for m in self.matches)
        return {status: counts[status] for status in STATUS_LABELS}

    def as_list(self) -> list[dict]:
        return [asdict(m) for m in self.matches]


def parse_result_sheet(sheet: Sheet, *, today: date, need_number: bool) -> Parsed:
    """Parse rows of credit code, name, number, date; every bad cell is an error with row and column."""
    parsed = Parsed(ignored_columns=sheet.ignored)
    first_row_of: dict[str, int] = {}
    for number, raw in sheet.rows():
        parsed.seen += 1
        errors = []

        def fail(key, message, number=number, errors=errors):
            errors.append(CellProblem(number, sheet.letter(key), sheet.header(key), message))

        for key, message in sheet.problems(number):
            fail(key, message)
        code = None
        try:
            code = validate_credit_code(str(raw.get("credit_code", "")))
        except CreditCodeError as exc:
            fail("credit_code", error_text(exc) if raw.get("credit_code") else _("缺少统一社会信用代码。"))
        if code and code in first_row_of:
            fail("credit_code", _("统一社会信用代码 %(code)s 与第 %(row)s 行重复。", code=code, row=first_row_of[code]))
        elif code:
            first_row_of[code] = number
        row = {"r": number, "code": code, "name": str(raw.get("name", "")).strip(),
               "number": str(raw["number"]).strip() if "number" in raw else None, "date": None,
               "note": str(raw.get("note", "")).strip()[:200]}
        if need_number and not row["number"]:
            fail("number", _("缺少证书编号或登记编号。"))
        if "date" in raw:
            try:
                row["date"] = parse_date(raw["date"], today=today).isoformat()
            except CellError as exc:
                fail("date", str(exc))
        elif need_number:
            fail("date", _("缺少发证（登记）日期。"))
        parsed.errors.extend(errors)
        if not errors:
            parsed.rows.append(row)
    return parsed


def plan_results(rows: list[dict], track, list_kind: str, *, user: User, today: date) -> ResultPlan:
    """Match each row to the firm and its record on the track, and predict what move_firm would do."""
    firms, records = _load(rows, track)
    towns = visible_town_ids(user)
    plan = ResultPlan()
    for row in rows:
        match = Match(row["r"], row["code"], row["name"], "unknown", number=row["number"], date=row["date"])
        firm = firms.get(row["code"])
        if firm is not None and towns is not None and firm.town_id not in towns:
            match.status = "out_of_scope"  # and nothing of the firm: not its name, id or record
        elif firm is not None:
            match.firm_id, match.firm_name = firm.id, firm.name
            record = records.get(firm.id)
            match.record_id = record.id if record else None
            if record is None:
                match.status = "not_on_track"
            elif list_kind == "certified":
                _plan_certify(match, record, track, today)
            else:
                _plan_remove(match, record, track, today)
        plan.matches.append(match)
    return plan


def _plan_certify(match: Match, record, track, today: date) -> None:
    if record.stage == Stage.CERTIFIED and (record.certificate_number or "") == match.number:
        match.status = "already"
        return
    # The note stands in for the real one (file and officer), which a skipped stage also requires.
    reason = predict_move(record, track, Stage.CERTIFIED, actor=None, today=today, note=_("认定名单"),
                          certificate_number=match.number, issued_on=date.fromisoformat(match.date))
    match.status = "refused" if reason else "certify_name" if _differs(match) else "certify"
    match.message = reason or ""


def _plan_remove(match: Match, record, track, today: date) -> None:
    if record.stage == Stage.REMOVED:
        match.status = "already_out"
        return
    reason = predict_move(record, track, Stage.REMOVED, actor=None, today=today,
                          reason_code=ExitReason.REVOKED.value, note=_("撤销名单"))
    match.status = "refused" if reason else "remove_name" if _differs(match) else "remove"
    match.message = reason or ""


def _differs(match: Match) -> bool:
    return bool(match.name) and _NAME_NOISE.sub("", match.name) != _NAME_NOISE.sub("", match.firm_name)


def _load(rows: list[dict], track) -> tuple[dict, dict]:
    codes = [row["code"] for row in rows]
    firms, records = {}, {}
    for start in range(0, len(codes), 5000):
        chunk = codes[start:start + 5000]
        for firm in db.session.scalars(select(Firm).where(Firm.credit_code.in_(chunk))):
            firms[firm.credit_code] = firm
    ids = [firm.id for firm in firms.values()]
    for start in range(0, len(ids), 5000):
        for record in db.session.scalars(select(FirmTrack).where(FirmTrack.track_id == track.id,
                                                                 FirmTrack.firm_id.in_(ids[start:start + 5000]))):
            records[record.firm_id] = record
    return firms, records


def apply_results(plan: ResultPlan, track, list_kind: str, *, actor: User, now: datetime, filename: str) -> dict:
    """Make every planned move through move_firm; a refusal now raises ApplyError (the caller rolls all back)."""
    records = {r.id: r for r in db.session.scalars(select(FirmTrack).where(
        FirmTrack.id.in_([m.record_id for m in plan.matches if m.status in MOVES])))}
    note = _("依据《%(file)s》导入（操作人：%(user)s）", file=filename, user=actor.label)
    moves = [m for m in plan.matches if m.status in MOVES]
    for match in moves:
        details = ({"certificate_number": match.number, "issued_on": date.fromisoformat(match.date)}
                   if list_kind == "certified" else {"reason_code": ExitReason.REVOKED.value})
        to_stage = Stage.CERTIFIED if list_kind == "certified" else Stage.REMOVED
        try:
            move_firm(records[match.record_id], to_stage, actor=None, now=now, note=note, **details)
        except (TransitionRefused, RecordChanged) as refusal:
            raise ApplyError(_("第 %(row)s 行：%(reason)s（未导入任何一行）", row=match.row,
                               reason=refusal_text(refusal))) from None
    return {"moved": len(moves), **{k: v for k, v in plan.counts.items() if v and k not in MOVES}}
