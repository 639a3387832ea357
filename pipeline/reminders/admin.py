"""The admin's reminder pages: switch and word each rule, and keep the yearly dates (科小 window, 高企 batches)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pipeline.auth.permissions import admin_gate
from pipeline.db import utcnow
from pipeline.domain.reminders import PLACEHOLDERS, RULE_LABELS, RULE_SCHEDULES, RuleCode
from pipeline.extensions import db
from pipeline.i18n import local_today
from pipeline.reminders.forms import NewYearForm, ProgramYearForm, RuleForm
from pipeline.reminders.models import ReminderRule
from pipeline.reminders.queries import (
    get_program_year,
    list_program_years,
    settings_county,
    settings_county_gate,
)
from pipeline.reminders.services import (
    ReminderError,
    save_program_year,
    send_due_reminders,
    set_rule_enabled,
    update_rule,
)

bp = Blueprint("reminders_admin", __name__, url_prefix="/admin/reminders")
bp.before_request(admin_gate)
bp.before_request(settings_county_gate)  # each county's admin keeps that county's rules and calendar
YEARS = range(2000, 2101)


def get_rule_or_404(code: str) -> ReminderRule:
    known = code in RuleCode._value2member_map_
    rule = db.session.get(ReminderRule, (code, settings_county())) if known else None
    if rule is None:
        abort(404)
    return rule


@bp.route("/")
def rules():
    rows = {rule.code: rule for rule in db.session.scalars(
        select(ReminderRule).where(ReminderRule.county_id == settings_county()))}
    return render_template("reminders/admin_rules.html", rules=[(code, rows.get(code.value)) for code in RuleCode],
                           labels=RULE_LABELS, schedules=RULE_SCHEDULES)


@bp.route("/rules/<code>", methods=["GET", "POST"])
def edit_rule(code: str):
    rule = get_rule_or_404(code)
    form = RuleForm(data=dict(enabled=rule.enabled, subject=rule.subject_template, body=rule.body_template))
    if form.validate_on_submit():
        try:
            update_rule(rule, enabled=form.enabled.data, subject=form.subject.data, body=form.body.data,
                        actor=current_user, now=utcnow())
        except ReminderError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("提醒规则已保存。"), "success")
            return redirect(url_for("reminders_admin.rules"))
    return render_template("reminders/admin_rule.html", form=form, rule=rule, label=RULE_LABELS[RuleCode(code)],
                           schedule=RULE_SCHEDULES[RuleCode(code)], placeholders=PLACEHOLDERS[RuleCode(code)])


@bp.route("/rules/<code>/toggle", methods=["POST"])
def toggle_rule(code: str):
    rule = get_rule_or_404(code)
    set_rule_enabled(rule, not rule.enabled, actor=current_user, now=utcnow())
    db.session.commit()
    label = _(RULE_LABELS[RuleCode(code)])
    flash(_("已启用：%(rule)s", rule=label) if rule.enabled else _("已停用：%(rule)s", rule=label), "success")
    return redirect(url_for("reminders_admin.rules"))


@bp.route("/run", methods=["POST"])
def run_now():
    created = send_due_reminders(local_today(), now=utcnow())
    db.session.commit()
    flash(_("已按今天的日期检查全部规则，新增提醒 %(count)s 条。", count=sum(created.values())), "success")
    return redirect(url_for("reminders_admin.rules"))


@bp.route("/calendar", methods=["GET", "POST"])
def calendar():
    form = NewYearForm()
    if form.validate_on_submit():
        return redirect(url_for("reminders_admin.edit_year", year=form.year.data))
    return render_template("reminders/admin_calendar.html", years=list_program_years(), form=form)


@bp.route("/calendar/<int:year>", methods=["GET", "POST"])
def edit_year(year: int):
    if year not in YEARS:
        abort(404)
    existing = get_program_year(year)
    form = ProgramYearForm(data=dict(
        tech_sme_opens_on=existing.tech_sme_opens_on, tech_sme_closes_on=existing.tech_sme_closes_on,
        hnte_batches="\n".join(b.due_on.isoformat() for b in existing.hnte_batches)) if existing else None)
    if form.validate_on_submit():
        try:
            save_program_year(year, opens_on=form.tech_sme_opens_on.data, closes_on=form.tech_sme_closes_on.data,
                              batch_dates=form.batch_dates)
        except ReminderError as exc:
            getattr(form, exc.field or "hnte_batches").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(year)s 年的申报日程已保存。", year=year), "success")
            return redirect(url_for("reminders_admin.calendar"))
    return render_template("reminders/admin_year.html", form=form, year=year)
