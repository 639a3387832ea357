"""Bulk invitations of firm contacts (issue 19): from the firm list's filter or an Excel of contacts, a preview of
who gets an invitation and who is skipped and why; then every invitation at once, in one transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Select, func, select

from pipeline.accounts.services import UserData, invite_user
from pipeline.auth.models import Role, User
from pipeline.auth.permissions import can_see_firm
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.imports.columns import FIRM_COLUMNS
from pipeline.imports.reader import open_sheet

MAX_FIRMS = 5000  # one preview; a county has 300–3,000 firms
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
SHEET_COLUMNS = tuple(c for c in FIRM_COLUMNS if c.key in ("credit_code", "contact_name", "contact_email"))

SEND, NO_EMAIL, BAD_EMAIL, HAS_ACCOUNT, EMAIL_TAKEN, NOT_FOUND, DUPLICATE = (
    "send", "no_email", "bad_email", "has_account", "email_taken", "not_found", "duplicate")
OUTCOME_LABELS = {SEND: N_("将发送邀请"), NO_EMAIL: N_("跳过：没有联系邮箱"), BAD_EMAIL: N_("跳过：邮箱格式不正确"),
                  HAS_ACCOUNT: N_("跳过：企业已有账号"), EMAIL_TAKEN: N_("跳过：该邮箱已有账号"),
                  NOT_FOUND: N_("跳过：找不到该企业"), DUPLICATE: N_("跳过：同一企业重复出现")}
SENT_LABEL = N_("已发送邀请")


@dataclass(frozen=True)
class InviteRow:
    """One firm contact of a bulk invitation and what happens to it."""

    credit_code: str
    firm_id: int | None = None
    firm_name: str = ""
    contact_name: str = ""
    email: str = ""
    outcome: str = SEND
    row: int | None = None  # the Excel row


def plan_from_firms(firm_ids: Select, user: User) -> list[InviteRow]:
    """The firms of a firm-list filter, each with its contact person and e-mail."""
    firms = db.session.scalars(select(Firm).where(Firm.id.in_(firm_ids)).order_by(Firm.name).limit(MAX_FIRMS))
    rows = [InviteRow(f.credit_code, f.id, f.name, f.contact_name, f.contact_email.strip()) for f in firms]
    return _judge(rows, user)


def plan_from_sheet(stream, user: User) -> list[InviteRow]:
    """The rows of an Excel of contacts (统一社会信用代码, 联系人, 联系邮箱; a blank e-mail takes the firm's own);
    ReadError for a file that cannot be read."""
    sheet = open_sheet(stream, SHEET_COLUMNS, max_rows=MAX_FIRMS)
    try:
        raw = [(number, record) for number, record in sheet.rows() if not sheet.problems(number)]
    finally:
        sheet.close()
    codes = {str(r.get("credit_code", "")).strip().upper() for _n, r in raw}
    firms = {f.credit_code: f for f in db.session.scalars(select(Firm).where(Firm.credit_code.in_(codes)))}
    rows = []
    for number, record in raw:
        code = str(record.get("credit_code", "")).strip().upper()
        firm = firms.get(code)
        if firm is None or not can_see_firm(user, firm):  # another town's firm is "not found" for the officer
            rows.append(InviteRow(code, row=number, outcome=NOT_FOUND))
            continue
        email = str(record.get("contact_email") or firm.contact_email).strip()
        rows.append(InviteRow(code, firm.id, firm.name, str(record.get("contact_name") or firm.contact_name).strip(),
                              email, row=number))
    return _judge(rows, user)


def plan_from_choices(choices: list[tuple[int, str, str]], user: User) -> list[InviteRow]:
    """The confirmed rows (firm id, contact, e-mail) judged again against the database as it is now."""
    firms = {f.id: f for f in db.session.scalars(select(Firm).where(Firm.id.in_([c[0] for c in choices])))}
    rows = [InviteRow(firms[i].credit_code, i, firms[i].name, name, email) if i in firms and
            can_see_firm(user, firms[i]) else InviteRow("", outcome=NOT_FOUND) for i, name, email in choices]
    return _judge(rows[:MAX_FIRMS], user)


def _judge(rows: list[InviteRow], user: User) -> list[InviteRow]:
    ids = [r.firm_id for r in rows if r.firm_id]
    with_account = set(db.session.scalars(select(User.firm_id).where(User.firm_id.in_(ids))))
    taken_names = set(db.session.scalars(select(User.username).where(User.username.in_([r.credit_code for r in rows]))))
    emails = [r.email.lower() for r in rows if r.email]
    taken = set(db.session.scalars(select(func.lower(User.email)).where(func.lower(User.email).in_(emails))))
    seen_firms, seen_emails, judged = set(), set(), []
    for r in rows:
        outcome = r.outcome
        if outcome == SEND:
            outcome = (DUPLICATE if r.firm_id in seen_firms else
                       HAS_ACCOUNT if r.firm_id in with_account or r.credit_code in taken_names else
                       NO_EMAIL if not r.email else BAD_EMAIL if not _EMAIL.match(r.email) or len(r.email) > 254 else
                       EMAIL_TAKEN if r.email.lower() in taken or r.email.lower() in seen_emails else SEND)
        if outcome == SEND:
            seen_firms.add(r.firm_id)
            seen_emails.add(r.email.lower())
        judged.append(replace(r, outcome=outcome))
    return judged


def send_firm_invitations(rows: list[InviteRow], *, by: User, now: datetime) -> int:
    """Create each "send" row's firm user (user name: the credit code) and mail the invitation; how many."""
    sent = 0
    for r in rows:
        if r.outcome == SEND:
            invite_user(UserData(Role.FIRM, r.contact_name[:100] or r.firm_name[:100], r.email,
                                 username=r.credit_code, firm_code=r.credit_code), by=by, now=now)
            sent += 1
    return sent
