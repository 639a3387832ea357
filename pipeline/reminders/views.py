from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.firms.queries import get_firm_or_404
from pipeline.i18n import local_today
from pipeline.reminders import bp
from pipeline.reminders.forms import AnnualReportForm
from pipeline.reminders.queries import get_reminder_or_404, list_reminders
from pipeline.reminders.services import ReminderError, mark_annual_report, mark_reminders_read
from pipeline.web import page_arg, safe_next_url

# The staff list (blueprint 'reminders') and the firm's list ('reminders_portal') share these views.


def show_reminders(prefix: str):
    page = page_arg()
    reminders, has_next = list_reminders(current_user, page)
    return render_template("reminders/index.html", reminders=reminders, has_next=has_next, page=page, prefix=prefix)


def read_reminder(reminder_id: int, prefix: str):
    mark_reminders_read(current_user, utcnow(), [get_reminder_or_404(reminder_id, current_user).id])
    db.session.commit()
    return redirect(url_for(f"{prefix}.index"))


def read_all_reminders(prefix: str):
    mark_reminders_read(current_user, utcnow())
    db.session.commit()
    flash(_("所有提醒已标为已读。"), "success")
    return redirect(url_for(f"{prefix}.index"))


def save_annual_report(firm, done_url: str):
    """Mark this year's report of the firm filed, or take the mark back (the officer's and the firm's button)."""
    form = AnnualReportForm()
    if not form.validate_on_submit():
        flash(_("请求无效，请刷新页面后重试。"), "danger")
        return redirect(done_url)
    filed = form.filed.data != "0"
    try:
        mark_annual_report(firm, form.year.data, filed, actor=current_user, today=local_today(), now=utcnow())
    except ReminderError as exc:
        flash(str(exc), "danger")
        return redirect(done_url)
    db.session.commit()
    flash(_("已标记年度发展情况报表为已填报。") if filed else _("已撤销年度报表的填报标记。"), "success")
    return redirect(safe_next_url(form.next.data, done_url))


@bp.route("/")
def index():
    return show_reminders("reminders")


@bp.route("/<int:reminder_id>/read", methods=["POST"])
def read(reminder_id: int):
    return read_reminder(reminder_id, "reminders")


@bp.route("/read-all", methods=["POST"])
def read_all():
    return read_all_reminders("reminders")


@bp.route("/firms/<int:firm_id>/annual-report", methods=["POST"])
def annual_report(firm_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    return save_annual_report(firm, url_for("firms.detail", firm_id=firm.id))
