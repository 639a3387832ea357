"""The firm users' side: their firm's reminders, and marking the annual report filed."""

from flask import Blueprint, url_for
from flask_login import current_user

from pipeline.auth.permissions import firm_gate
from pipeline.reminders.views import read_all_reminders, read_reminder, save_annual_report, show_reminders

bp = Blueprint("reminders_portal", __name__, url_prefix="/portal/reminders")
bp.before_request(firm_gate)


@bp.route("/")
def index():
    return show_reminders("reminders_portal")


@bp.route("/<int:reminder_id>/read", methods=["POST"])
def read(reminder_id: int):
    return read_reminder(reminder_id, "reminders_portal")


@bp.route("/read-all", methods=["POST"])
def read_all():
    return read_all_reminders("reminders_portal")


@bp.route("/annual-report", methods=["POST"])
def annual_report():
    return save_annual_report(current_user.firm, url_for("portal.index"))
