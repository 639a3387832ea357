"""The admin's user pages: list, create (invitation by mail), edit, disable/enable, re-send or revoke an invitation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pipeline.accounts.forms import EditUserForm, TwoFactorRequiredForm, UserForm, role_choices
from pipeline.accounts.queries import UserFilters, get_user_or_404, list_users
from pipeline.accounts.services import (
    UserData,
    invitation_state,
    invite_user,
    revoke_invitation,
    send_invitation,
    set_user_active,
    update_user,
)
from pipeline.accounts.twofactor import disable_two_factor, set_two_factor_required, two_factor_required
from pipeline.audit.queries import list_events_of_user
from pipeline.auth.models import Role
from pipeline.auth.permissions import admin_gate
from pipeline.auth.services import UserError
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.firms.models import Town
from pipeline.reminders.queries import settings_county_gate
from pipeline.web import int_arg, page_arg

bp = Blueprint("accounts", __name__, url_prefix="/admin/users")
bp.before_request(admin_gate)

_YES_NO = {"1": True, "0": False}


def _towns() -> list[Town]:
    return list(db.session.scalars(select(Town).order_by(Town.sort_order, Town.name)))


def _prepare(form: UserForm) -> UserForm:
    form.role.choices = role_choices()
    form.towns.choices = [(town.id, town.name) for town in _towns()]
    return form


def _data(form: UserForm) -> UserData:
    return UserData(role=Role(form.role.data), display_name=form.display_name.data, email=form.email.data,
                    username=form.username.data if form.username else "", firm_code=form.firm_code.data or "",
                    town_ids=form.towns.data or [], reports_monthly=form.reports_monthly.data)


def _filters() -> UserFilters:
    role = request.args.get("role", "")
    return UserFilters(q=request.args.get("q", "").strip()[:100],
                       role=Role(role) if role in Role._value2member_map_ else None, town_id=int_arg("town"),
                       active=_YES_NO.get(request.args.get("active", "")),
                       two_factor=_YES_NO.get(request.args.get("two_factor", "")))


@bp.route("/")
def index():
    filters, page = _filters(), page_arg()
    users, has_next = list_users(filters, page)
    return render_template("accounts/index.html", users=users, has_next=has_next, page=page, filters=filters,
                           towns=_towns(), roles=list(Role), args=request.args.to_dict())


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _prepare(UserForm())
    if form.validate_on_submit():
        try:
            user = invite_user(_data(form), by=current_user, now=utcnow())
        except UserError as exc:
            form.form_errors.append(str(exc))
            return render_template("accounts/form.html", form=form, user=None), 422
        db.session.commit()
        flash(_("已创建用户 %(name)s，邀请邮件已发往 %(email)s。", name=user.username, email=user.email), "success")
        return redirect(url_for(".detail", user_id=user.id))
    return render_template("accounts/form.html", form=form, user=None), 422 if form.errors else 200


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def detail(user_id: int):
    user = get_user_or_404(user_id)
    # Values, not obj=user: WTForms would take user.towns (Town objects) over towns=[ids], and the page would show
    # an officer's towns unticked (saving it would then clear them).
    form = _prepare(EditUserForm(display_name=user.display_name, email=user.email, role=user.role.value,
                                 towns=[t.id for t in user.towns], firm_code=user.firm.credit_code if user.firm else "",
                                 reports_monthly=user.reports_monthly))
    if form.validate_on_submit():
        try:
            update_user(user, _data(form), by=current_user, now=utcnow())
        except UserError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("用户信息已保存。"), "success")
            return redirect(url_for(".detail", user_id=user.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("accounts/detail.html", form=form, user=user, events=list_events_of_user(user.id),
                           invitation=invitation_state(user, utcnow())), status


def _act(user_id: int, action, done: str):
    """Run one action on a user (a POST from the user page), flash what happened, back to the page."""
    user = get_user_or_404(user_id)
    try:
        action(user, by=current_user, now=utcnow())
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for(".detail", user_id=user_id))


@bp.route("/<int:user_id>/disable", methods=["POST"])
def disable(user_id: int):
    return _act(user_id, lambda user, **kw: set_user_active(user, False, **kw), _("用户已停用，其所有登录已失效。"))


@bp.route("/<int:user_id>/enable", methods=["POST"])
def enable(user_id: int):
    return _act(user_id, lambda user, **kw: set_user_active(user, True, **kw), _("用户已启用。"))


@bp.route("/<int:user_id>/invitation", methods=["POST"])
def resend_invitation(user_id: int):
    return _act(user_id, send_invitation, _("邀请邮件已重新发送，之前的链接已失效。"))


@bp.route("/<int:user_id>/invitation/revoke", methods=["POST"])
def revoke(user_id: int):
    return _act(user_id, revoke_invitation, _("邀请已撤销。"))


@bp.route("/<int:user_id>/two-factor/reset", methods=["POST"])
def reset_two_factor(user_id: int):
    return _act(user_id, disable_two_factor, _("已重置该用户的两步验证，其下次登录时无需验证码（若系统要求则须重新设置）。"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    settings_county_gate()  # a county's own settings: none for a user above the counties
    form = TwoFactorRequiredForm(required=two_factor_required())
    if form.validate_on_submit():
        set_two_factor_required(form.required.data, by=current_user, now=utcnow())
        db.session.commit()
        flash(_("设置已保存。"), "success")
        return redirect(url_for(".settings"))
    return render_template("accounts/settings.html", form=form)
