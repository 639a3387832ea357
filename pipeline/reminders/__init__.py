"""Reminder rules, the reminders they make, and the notification list of staff (firm users: reminders.portal)."""

from flask import Blueprint
from flask_login import current_user

from pipeline.auth.permissions import staff_gate

bp = Blueprint("reminders", __name__, url_prefix="/reminders")
bp.before_request(staff_gate)


@bp.app_template_global()
def unread_reminder_count() -> int:
    """For the navbar badge of every page; a badge is not worth failing a page (an error page, say) for."""
    from sqlalchemy.exc import SQLAlchemyError

    from pipeline.reminders.queries import count_unread_reminders

    try:
        return count_unread_reminders(current_user)
    except SQLAlchemyError:
        return 0


@bp.app_template_global()
def annual_report_state_for(firm):
    """For the annual-report partials on the firm page and the portal."""
    from pipeline.i18n import local_today
    from pipeline.reminders.queries import annual_report_state

    return annual_report_state(firm.id, local_today())


from pipeline.reminders import views  # noqa: E402,F401
