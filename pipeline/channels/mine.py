"""A user's own notification choices: the mobile number for SMS and the channels per kind of notice."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.models import Role
from pipeline.channels.forms import kinds_for, read_choices_form
from pipeline.channels.queries import enabled_channels, mobile_of, notice_defaults, user_choices
from pipeline.channels.services import ChannelError, save_user_choices
from pipeline.channels.settings import ChannelSettings
from pipeline.domain.channels import CHANNEL_LABELS, KIND_LABELS, PERSONAL_CHANNELS, Channel, chosen
from pipeline.extensions import db
from pipeline.forms import Form

bp = Blueprint("notice_choices", __name__, url_prefix="/account/notifications")


@bp.before_request
def login_gate():
    """Every page here is the logged-in user's own."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


def _available() -> list:
    """The personal channels that exist; DingTalk work notifications reach the bureau's staff only."""
    enabled = enabled_channels(ChannelSettings.from_config(current_app.config))
    staff_only = (Channel.DINGTALK_WORK,) if current_user.role is Role.FIRM else ()
    return [c for c in PERSONAL_CHANNELS if c in enabled and c not in staff_only]


def _page(mobile: str, posted=None, status: int = 200):
    available = _available()
    mine, defaults = user_choices(current_user.id), notice_defaults()
    rows = [dict(kind=k, label=KIND_LABELS[k],
                 on={c.value for c in available if posted.get(f"choice:{k}:{c.value}") == "on"}
                 if posted else chosen(mine.get(k, {}), defaults.get(k, {}), [c.value for c in available]))
            for k in kinds_for(current_user)]
    return render_template("channels/mine.html", form=Form(), mobile=mobile, rows=rows, available=available,
                           channel_labels=CHANNEL_LABELS), status


@bp.route("/", methods=["GET", "POST"])
def edit():
    form = Form()
    if form.validate_on_submit():
        mobile = request.form.get("mobile", "")[:30]
        try:
            save_user_choices(current_user, mobile, read_choices_form(request.form, kinds_for(current_user), _available()))
        except ChannelError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return _page(mobile, request.form, 400)
        db.session.commit()
        flash(_("通知方式已保存。"), "success")
        return redirect(url_for("notice_choices.edit"))
    return _page(mobile_of(current_user.id))
