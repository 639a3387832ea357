"""The admin's page of login throttles: who is waiting, why, and a button to clear a count."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from pipeline.auth.models import THROTTLE_SCOPE_LABELS
from pipeline.auth.permissions import admin_gate
from pipeline.auth.throttle import clear_throttle, list_throttles, throttle_policy
from pipeline.db import utcnow
from pipeline.extensions import db

bp = Blueprint("login_throttles", __name__, url_prefix="/admin/login-throttles")
bp.before_request(admin_gate)


@bp.route("/")
def index():
    throttles = list_throttles(utcnow(), throttle_policy(current_app))
    return render_template("auth/throttles.html", throttles=throttles, labels=THROTTLE_SCOPE_LABELS)


@bp.route("/<int:throttle_id>/clear", methods=["POST"])
def clear(throttle_id: int):
    if not clear_throttle(throttle_id):
        abort(404)
    db.session.commit()
    flash(_("已清除该登录限制。"), "success")
    return redirect(url_for(".index"))
