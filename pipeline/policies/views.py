"""Staff pages of the catalogue: list, form, detail (matched firms, push, budget), publish and withdraw."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pipeline.auth.permissions import can_edit, can_see_firm, sees_whole_county
from pipeline.db import utcnow
from pipeline.domain.policy import INCENTIVE_STATUS_LABELS, NEAR, QUALIFIED
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.services import local_today
from pipeline.policies import bp
from pipeline.policies.forms import BudgetForm, PolicyForm, ProposeForm, PushForm
from pipeline.policies.ledger import LedgerError, budget_position, propose_incentive, set_budget
from pipeline.policies.models import PolicyBudget
from pipeline.policies.queries import get_policy_or_404, list_incentives, list_policies, matched_firms
from pipeline.policies.services import (
    PolicyError,
    attach_file,
    publish_policy,
    push_notices,
    save_policy,
    withdraw_policy,
)
from pipeline.policies.web import (
    condition_lines,
    fill_choices,
    form_data,
    max_upload_bytes,
    send_policy_attachment,
    track_names,
)


def form_error_text(form) -> str:
    """A small form's errors in one flash message."""
    return "；".join(str(error) for errors in form.errors.values() for error in errors)


def manages_catalogue(user) -> bool:
    """Who writes the catalogue, publishes and pushes: admins and officers of the whole county (a policy reaches
    every town); an officer limited to some towns records incentives of their firms only."""
    return can_edit(user) and sees_whole_county(user)


def _require_catalogue_rights() -> None:
    if not manages_catalogue(current_user):
        abort(403)


@bp.route("/")
def index():
    return render_template("policies/index.html", policies=list_policies(), can_edit=manages_catalogue(current_user))


@bp.route("/new", methods=["GET", "POST"], defaults={"policy_id": None})
@bp.route("/<int:policy_id>/edit", methods=["GET", "POST"])
def edit(policy_id: int | None):
    _require_catalogue_rights()
    policy = get_policy_or_404(policy_id, current_user) if policy_id else None
    form = PolicyForm(data=form_data(policy) if policy and request.method == "GET" else None)
    fill_choices(form)
    if form.validate_on_submit():
        try:
            saved = save_policy(policy, form.values(), form.conditions(track_names()), actor=current_user,
                                now=utcnow())
            upload = form.attachment.data
            if upload and getattr(upload, "filename", ""):
                attach_file(saved, upload.filename, upload.read(), max_bytes=max_upload_bytes())
        except PolicyError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return render_template("policies/form.html", form=form, policy=policy), 422
        db.session.commit()
        flash(_("已保存政策“%(title)s”。", title=saved.title), "success")
        return redirect(url_for(".detail", policy_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return render_template("policies/form.html", form=form, policy=policy), status


@bp.route("/<int:policy_id>")
def detail(policy_id: int):
    policy = get_policy_or_404(policy_id, current_user)
    year = local_today(utcnow()).year
    qualified, qualified_total = matched_firms(policy, current_user, QUALIFIED)
    near, near_total = matched_firms(policy, current_user, NEAR)
    budgets = db.session.scalars(select(PolicyBudget).where(PolicyBudget.policy_id == policy.id)
                                 .order_by(PolicyBudget.year.desc())).all()
    positions = [(b.year, budget_position(policy.id, b.year)) for b in budgets]
    return render_template(
        "policies/detail.html", policy=policy, conditions=condition_lines(policy), qualified=qualified,
        qualified_total=qualified_total, near=near, near_total=near_total, positions=positions,
        incentives=list_incentives(current_user, policy_id=policy.id), can_edit=manages_catalogue(current_user),
        can_propose=can_edit(current_user), labels=INCENTIVE_STATUS_LABELS,
        push_form=PushForm(), budget_form=BudgetForm(data={"year": year}),
        propose_form=ProposeForm(data={"year": year, "amount": policy.benefit_amount}))


@bp.route("/<int:policy_id>/attachment")
def attachment(policy_id: int):
    return send_policy_attachment(get_policy_or_404(policy_id, current_user))


def _act(policy_id: int, action) -> object:
    """Run one state change of a policy, commit, flash what happened or why not, back to its page."""
    policy = get_policy_or_404(policy_id, current_user)
    if action.__name__ != "propose_action":
        _require_catalogue_rights()
    try:
        message = action(policy)
    except (PolicyError, LedgerError) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for(".detail", policy_id=policy_id))


@bp.post("/<int:policy_id>/publish")
def publish(policy_id: int):
    def action(policy):
        statuses = publish_policy(policy, now=utcnow())
        return _("已发布，符合条件 %(q)s 家，接近符合 %(n)s 家。", q=sum(s == QUALIFIED for s in statuses.values()),
                 n=sum(s == NEAR for s in statuses.values()))
    return _act(policy_id, action)


@bp.post("/<int:policy_id>/withdraw")
def withdraw(policy_id: int):
    return _act(policy_id, lambda policy: withdraw_policy(policy, now=utcnow()) or _("已撤回，企业门户不再显示该政策。"))


@bp.post("/<int:policy_id>/push")
def push(policy_id: int):
    form = PushForm()

    def action(policy):
        queued, unreachable = push_notices(policy, include_near=bool(form.include_near.data), now=utcnow())
        text = _("已推送 %(n)s 家企业（已推送过或已退订的企业不再重复推送）。", n=queued)
        return text + (_("另有 %(n)s 家没有联系邮箱。", n=unreachable) if unreachable else "")
    if not form.validate_on_submit():
        flash(_("请刷新页面后重试。"), "danger")
        return redirect(url_for(".detail", policy_id=policy_id))
    return _act(policy_id, action)


@bp.post("/<int:policy_id>/budget")
def budget(policy_id: int):
    form = BudgetForm()
    if not form.validate_on_submit():
        flash(form_error_text(form), "danger")
        return redirect(url_for(".detail", policy_id=policy_id))
    return _act(policy_id, lambda policy: set_budget(policy, form.year.data, form.amount.data)
                or _("已保存 %(year)s 年度预算。", year=form.year.data))


@bp.post("/<int:policy_id>/incentives")
def propose(policy_id: int):
    form = ProposeForm()
    if not form.validate_on_submit():
        flash(form_error_text(form), "danger")
        return redirect(url_for(".detail", policy_id=policy_id))

    def propose_action(policy):
        firm = db.session.scalar(select(Firm).where(Firm.credit_code == form.credit_code.data.strip().upper()))
        if firm is None or not can_see_firm(current_user, firm):
            raise PolicyError(_("没有找到该统一社会信用代码的企业。"))
        propose_incentive(policy, firm.id, form.year.data, form.amount.data, actor=current_user, now=utcnow(),
                          note=(form.note.data or "").strip())
        return _("已为 %(firm)s 登记拟奖补。", firm=firm.name)
    return _act(policy_id, propose_action)
