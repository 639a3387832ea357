"""Staff pages of the incentive ledger: the list (and its Excel export), one incentive with its history, its steps."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.permissions import can_edit
from pipeline.db import utcnow
from pipeline.domain.policy import INCENTIVE_STATUS_LABELS
from pipeline.extensions import db
from pipeline.funnel.services import local_today
from pipeline.policies import bp
from pipeline.policies.export import export_incentives
from pipeline.policies.forms import ApproveForm, DeclineForm, PayForm
from pipeline.policies.ledger import (
    LedgerError,
    Payment,
    approve_incentive,
    budget_position,
    decline_incentive,
    pay_incentive,
)
from pipeline.policies.queries import get_incentive_or_404, incentives_query, list_incentives
from pipeline.web import int_arg, send_attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> dict:
    status = request.args.get("status")
    return dict(year=int_arg("year", None, minimum=2000, maximum=2199),
                status=status if status in INCENTIVE_STATUS_LABELS else None)


@bp.route("/incentives")
def incentives():
    filters = _filters()
    return render_template("policies/incentives.html", incentives=list_incentives(current_user, **filters),
                           filters=filters, labels=INCENTIVE_STATUS_LABELS,
                           export_url=url_for(".export", **{k: v for k, v in filters.items() if v}),
                           this_year=local_today(utcnow()).year)


@bp.route("/incentives.xlsx")
def export():
    filters = _filters()
    year = filters["year"] or local_today(utcnow()).year
    return send_attachment(export_incentives(incentives_query(current_user, **filters)), mimetype=XLSX,
                           filename=f"奖补台账-{year}.xlsx")


@bp.route("/incentives/<int:incentive_id>")
def incentive(incentive_id: int, forms: dict | None = None, status: int = 200):
    row = get_incentive_or_404(incentive_id, current_user)
    forms = forms or {}
    return render_template(
        "policies/incentive.html", incentive=row, labels=INCENTIVE_STATUS_LABELS,
        position=budget_position(row.policy_id, row.year), can_edit=can_edit(current_user),
        approve_form=forms.get("approve") or ApproveForm(data={"amount": row.amount}),
        pay_form=forms.get("pay") or PayForm(data={"amount": row.amount, "paid_on": local_today(utcnow())}),
        decline_form=forms.get("decline") or DeclineForm()), status


def _step(incentive_id: int, name: str, form, run) -> object:
    """Validate the step's form, run it, commit; on a refusal show the page again with the message, nothing kept."""
    row = get_incentive_or_404(incentive_id, current_user)
    if form.validate_on_submit():
        try:
            run(row, form)
        except LedgerError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("已更新：%(status)s。", status=_(INCENTIVE_STATUS_LABELS[row.status])), "success")
            return redirect(url_for(".incentive", incentive_id=incentive_id))
    return incentive(incentive_id, forms={name: form}, status=422)


@bp.post("/incentives/<int:incentive_id>/approve")
def approve(incentive_id: int):
    return _step(incentive_id, "approve", ApproveForm(), lambda row, form: approve_incentive(
        row, form.amount.data, actor=current_user, now=utcnow(), note=(form.note.data or "").strip()))


@bp.post("/incentives/<int:incentive_id>/pay")
def pay(incentive_id: int):
    def run(row, form):
        payment = Payment(form.amount.data, form.paid_on.data, form.document_number.data,
                          form.team_amount.data, form.main_amount.data)
        pay_incentive(row, payment, actor=current_user, now=utcnow(), note=(form.note.data or "").strip())
    return _step(incentive_id, "pay", PayForm(), run)


@bp.post("/incentives/<int:incentive_id>/decline")
def decline(incentive_id: int):
    return _step(incentive_id, "decline", DeclineForm(), lambda row, form: decline_incentive(
        row, actor=current_user, now=utcnow(), note=form.note.data))
