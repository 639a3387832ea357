"""Bulk invitations of firm contacts, for admins and officers (officers: firms of their own towns only)."""

from __future__ import annotations

import json

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.accounts.bulk import (
    OUTCOME_LABELS,
    SEND,
    SENT_LABEL,
    plan_from_choices,
    plan_from_firms,
    plan_from_sheet,
    send_firm_invitations,
)
from pipeline.accounts.forms import ContactSheetForm, SendInvitationsForm
from pipeline.auth.permissions import can_edit, staff_gate
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.imports.reader import ReadError
from pipeline.imports.scope import firm_list_scope

bp = Blueprint("firm_invitations", __name__, url_prefix="/firms/invitations")


@bp.before_request
def editor_gate():
    """Staff who may edit (admins, officers); leaders read only and have nothing to do here."""
    refused = staff_gate()
    if refused is None and not can_edit(current_user):
        abort(403)
    return refused


def _preview(rows, status: int = 200, upload: ContactSheetForm | None = None):
    choices = [[r.firm_id, r.contact_name, r.email] for r in rows if r.outcome == SEND]
    send = SendInvitationsForm(rows=json.dumps(choices, ensure_ascii=False))
    return render_template("accounts/bulk_preview.html", rows=rows, labels=OUTCOME_LABELS, send=send,
                           upload=upload or ContactSheetForm(), count=len(choices)), status


@bp.route("/")
def preview():
    """The firms of the firm list's filter (the same query string)."""
    return _preview(plan_from_firms(firm_list_scope(current_user), current_user))


@bp.route("/upload", methods=["POST"])
def upload():
    form = ContactSheetForm()
    if not form.validate_on_submit():
        return _preview([], 400, form)
    try:
        rows = plan_from_sheet(form.file.data.stream, current_user)
    except ReadError as exc:
        form.file.errors.append(str(exc))
        return _preview([], 400, form)
    return _preview(rows)


@bp.route("/send", methods=["POST"])
def send():
    form = SendInvitationsForm()
    choices = _choices(form.rows.data) if form.validate_on_submit() else None
    if not choices:
        return _preview([], 400)
    rows = plan_from_choices(choices, current_user)
    send_firm_invitations(rows, by=current_user, now=utcnow())
    db.session.commit()
    return render_template("accounts/bulk_result.html", rows=rows, labels={**OUTCOME_LABELS, SEND: SENT_LABEL},
                           sent=sum(r.outcome == SEND for r in rows), message=_("邀请邮件已加入发送队列。"))


def _choices(data: str) -> list[tuple[int, str, str]] | None:
    """The preview's rows back from the form: a list of [firm id, contact, e-mail], or None when it is not one."""
    try:
        rows = json.loads(data)
        return [(int(i), str(name)[:100], str(email)[:254]) for i, name, email in rows
                if isinstance(i, int) and 0 < i < 2**31]
    except (ValueError, TypeError):
        return None
