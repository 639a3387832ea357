"""The 本年到期高企 list, with the 高企 compliance watches."""

from flask import render_template
from flask_login import current_user

from pipeline.auth.permissions import can_edit, visible_town_ids
from pipeline.funnel import bp
from pipeline.funnel.recert import (
    batch_dates_of,
    list_cancellation_risks,
    list_changes_to_report,
    list_expiring_this_year,
)
from pipeline.i18n import local_today


@bp.route("/recert")
def recert_list():
    """本年到期高企: each firm's batch deadline of its expiry year; officers mark it 重新认定申报中 from here."""
    today, towns = local_today(), visible_town_ids(current_user)
    return render_template("funnel/recert.html", rows=list_expiring_this_year(today, towns),
                           batches=batch_dates_of(today.year), today=today, editable=can_edit(current_user),
                           risks=list_cancellation_risks(today, towns), changes=list_changes_to_report(today, towns))
