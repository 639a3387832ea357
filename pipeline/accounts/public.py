"""Account pages reached without logging in (from a mail or the login page), and the gate that sends a user who
must first change the password or enrol two-factor authentication there."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.accounts.forms import CodeForm, ForgotPasswordForm, SetPasswordForm
from pipeline.accounts.login import finish_login, pending_user
from pipeline.accounts.models import TokenPurpose
from pipeline.accounts.passwords import request_password_reset
from pipeline.accounts.services import set_password_with_token
from pipeline.accounts.tokens import find_open_token
from pipeline.accounts.twofactor import must_enrol, verify_login_code
from pipeline.auth.services import UserError
from pipeline.auth.throttle import throttle_policy
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.web import client_ip

bp = Blueprint("account", __name__, url_prefix="/account")

# Pages a logged-in user still reaches while the password must be changed or two-factor enrolment is due.
SETUP_ENDPOINTS = frozenset({"static", "auth.logout", "auth.language", "auth.password"})


@bp.before_app_request
def require_account_setup():
    """A user whose password must be changed (CLI-made, temporary) goes to the password page first; a staff user
    who must enrol two-factor authentication goes to the enrolment page."""
    if not current_user.is_authenticated or request.endpoint in SETUP_ENDPOINTS or request.blueprint == "account":
        return None
    if current_user.must_change_password:
        flash(_("首次登录请先修改密码。"), "warning")
        return redirect(url_for("auth.password"))
    if request.blueprint != "two_factor" and must_enrol(current_user):
        flash(_("系统要求管理员和科技专员启用两步验证，请先完成设置。"), "warning")
        return redirect(url_for("two_factor.setup"))
    return None


def _set_password_page(token: str, purpose: TokenPurpose, template: str):
    row = find_open_token(token, purpose, utcnow())
    if row is None:
        return render_template("accounts/link_invalid.html", purpose=purpose.value), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password_with_token(token, purpose, form.new.data, utcnow(),
                                    min_length=current_app.config["PASSWORD_MIN_LENGTH"])
        except UserError as exc:
            db.session.rollback()
            form.new.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("密码已设置，请用新密码登录。"), "success")
            return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template(template, form=form, user=row.user, purpose=purpose.value), status


@bp.route("/setup/<token>", methods=["GET", "POST"])
def set_password(token: str):
    return _set_password_page(token, TokenPurpose.INVITATION, "accounts/set_password.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_page(token, TokenPurpose.RESET, "accounts/set_password.html")


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            request_password_reset(form.identifier.data, client_ip(), utcnow(), policy=throttle_policy(current_app))
        except UserError as exc:
            db.session.commit()  # the count stays
            form.identifier.errors.append(str(exc))
            return render_template("accounts/forgot.html", form=form), 429
        db.session.commit()
        return render_template("accounts/forgot_sent.html")
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of a login with two-factor authentication: a code from the app or a recovery code."""
    now = utcnow()
    user, next_url = pending_user(now)
    if user is None:
        flash(_("登录已超时，请重新输入用户名和密码。"), "warning")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            verify_login_code(user, form.code.data, client_ip(), now, policy=throttle_policy(current_app))
        except UserError as exc:
            db.session.commit()  # the failure is counted and audited
            form.code.errors.append(str(exc))
        else:
            from pipeline.auth.views import home_url_for

            return finish_login(user, next_url, now, home_url_for)
    return render_template("accounts/login_code.html", form=form), 422 if form.errors else 200
