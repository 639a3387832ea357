"""可享受的政策 in the portal: the firm's own policies (qualified and nearly, with the gap and what to do next), its
rewards, and the switch for policy notices. The firm always comes from the login."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.permissions import firm_gate
from pipeline.db import utcnow
from pipeline.domain.policy import INCENTIVE_STATUS_LABELS
from pipeline.extensions import db
from pipeline.policies.forms import OptOutForm
from pipeline.policies.queries import (
    find_match,
    firm_policies,
    firm_policy,
    get_policy_or_404,
    list_incentives,
)
from pipeline.policies.services import is_opted_out, mark_opened, set_opt_out
from pipeline.policies.web import condition_lines, send_policy_attachment
from pipeline.portal.views import own_firm

bp = Blueprint("policies_portal", __name__, url_prefix="/portal/policies")
bp.before_request(firm_gate)


@bp.route("/")
def index():
    firm = own_firm()
    opted_out = is_opted_out(firm.id)
    return render_template("policies/portal.html", firm=firm, policies=firm_policies(firm),
                           incentives=list_incentives(current_user), labels=INCENTIVE_STATUS_LABELS,
                           opted_out=opted_out, form=OptOutForm(data={"opted_out": opted_out}))


@bp.route("/<int:policy_id>")
def detail(policy_id: int):
    firm = own_firm()
    policy = get_policy_or_404(policy_id, current_user)
    mark_opened(find_match(policy.id, firm.id), now=utcnow())
    db.session.commit()
    return render_template("policies/portal_detail.html", firm=firm, item=firm_policy(firm, policy),
                           conditions=condition_lines(policy))


@bp.route("/<int:policy_id>/attachment")
def attachment(policy_id: int):
    return send_policy_attachment(get_policy_or_404(policy_id, current_user))


@bp.post("/notices")
def notices():
    form = OptOutForm()
    if form.validate_on_submit():
        set_opt_out(own_firm(), bool(form.opted_out.data), actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("已退订惠企政策推送邮件。") if form.opted_out.data else _("已恢复接收惠企政策推送邮件。"), "success")
    return redirect(url_for(".index"))
