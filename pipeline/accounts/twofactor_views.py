"""A user's own two-factor pages: status, enrolment with a QR code and the recovery codes, switching it off."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.accounts.forms import CodeForm
from pipeline.accounts.twofactor import (
    disable_two_factor,
    enable_two_factor,
    has_two_factor,
    may_switch_off,
    must_enrol,
    new_secret,
    provisioning_qr,
    recovery_codes_left,
)
from pipeline.auth.services import UserError
from pipeline.db import utcnow
from pipeline.extensions import db

bp = Blueprint("two_factor", __name__, url_prefix="/account/2fa")


@bp.before_request
def login_gate():
    """Every page here is the logged-in user's own."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None

ENROLMENT_KEY = "totp_enrolment"  # the secret being enrolled, kept in the (signed) session until confirmed


@bp.route("/")
def index():
    return render_template("accounts/two_factor.html", enabled=has_two_factor(current_user),
                           codes_left=recovery_codes_left(current_user), may_switch_off=may_switch_off(current_user),
                           required=must_enrol(current_user))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if has_two_factor(current_user):
        return redirect(url_for(".index"))
    secret = session.get(ENROLMENT_KEY) or new_secret()
    session[ENROLMENT_KEY] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = enable_two_factor(current_user, secret, form.code.data, utcnow())
        except UserError as exc:
            form.code.errors.append(str(exc))
        else:
            db.session.commit()
            session.pop(ENROLMENT_KEY, None)
            return render_template("accounts/recovery_codes.html", codes=codes)
    return render_template("accounts/two_factor_setup.html", form=form, secret=secret,
                           qr=provisioning_qr(current_user, secret)), 422 if form.errors else 200


@bp.route("/disable", methods=["POST"])
def disable():
    try:
        disable_two_factor(current_user, by=current_user, now=utcnow())
    except UserError as exc:
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("两步验证已关闭。"), "success")
    return redirect(url_for(".index"))
