from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.permissions import can_edit
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.firms.queries import get_firm_or_404
from pipeline.i18n import local_today
from pipeline.indicators import bp
from pipeline.indicators.forms import GROUPS, FactsForm, ReviewForm, YearForm, year_choices
from pipeline.indicators.presenters import facts_initial, year_initial
from pipeline.indicators.queries import check_year_or_404, get_submission_or_404, list_pending, load_figures
from pipeline.indicators.services import (
    FiguresError,
    confirm_submission,
    evaluate_firm,
    reject_submission,
    save_facts,
    save_year,
)


@bp.route("/firms/<int:firm_id>")
def firm(firm_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    return render_template("indicators/firm.html", firm=firm, figures=load_figures(firm.id),
                           assessment=evaluate_firm(firm, local_today()), editable=can_edit(current_user))


@bp.route("/firms/<int:firm_id>/years/new", methods=["GET", "POST"])
@bp.route("/firms/<int:firm_id>/years/<int:fiscal_year>", methods=["GET", "POST"])
def edit_year(firm_id: int, fiscal_year: int | None = None):
    firm = get_firm_or_404(firm_id, current_user)
    require_editor()
    check_year_or_404(fiscal_year)
    figures = load_figures(firm.id)
    form = YearForm(data=year_initial(figures, fiscal_year, local_today()))
    form.fiscal_year.choices = year_choices(local_today())
    if form.validate_on_submit():
        year = fiscal_year or int(form.fiscal_year.data)
        try:
            save_year(firm, year, form.checked.values, actor=current_user, now=utcnow())
        except FiguresError as exc:
            _show_errors(form, exc)
        else:
            db.session.commit()
            flash(_("已保存 %(year)s 年度指标。", year=year), "success")
            return redirect(url_for("indicators.firm", firm_id=firm.id))
    return render_template("indicators/year_form.html", firm=firm, form=form, fiscal_year=fiscal_year,
                           submission=figures.firm_years.get(fiscal_year))


@bp.route("/firms/<int:firm_id>/facts", methods=["GET", "POST"])
def edit_facts(firm_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    require_editor()
    figures = load_figures(firm.id)
    form = FactsForm(data=facts_initial(figures.official_facts or figures.firm_facts))
    if form.validate_on_submit():
        try:
            save_facts(firm, form.checked.values, actor=current_user, now=utcnow())
        except FiguresError as exc:
            _show_errors(form, exc)
        else:
            db.session.commit()
            flash(_("已保存企业基本指标。"), "success")
            return redirect(url_for("indicators.firm", firm_id=firm.id))
    return render_template("indicators/facts_form.html", firm=firm, form=form, groups=GROUPS,
                           submission=figures.firm_facts)


@bp.route("/firms/<int:firm_id>/submissions/<int:fiscal_year>/confirm", methods=["POST"])
@bp.route("/firms/<int:firm_id>/submissions/facts/confirm", methods=["POST"])
def confirm(firm_id: int, fiscal_year: int | None = None):
    firm = get_firm_or_404(firm_id, current_user)
    submission = get_submission_or_404(firm, fiscal_year)
    try:
        confirm_submission(submission, actor=current_user, now=utcnow())
    except FiguresError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash(_("已核实企业填报的数据，并作为正式指标。"), "success")
    return redirect(url_for("indicators.firm", firm_id=firm.id))


@bp.route("/firms/<int:firm_id>/submissions/<int:fiscal_year>/reject", methods=["POST"])
@bp.route("/firms/<int:firm_id>/submissions/facts/reject", methods=["POST"])
def reject(firm_id: int, fiscal_year: int | None = None):
    firm = get_firm_or_404(firm_id, current_user)
    submission = get_submission_or_404(firm, fiscal_year)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("退回说明最多 500 字。"), "warning")
        return redirect(url_for("indicators.firm", firm_id=firm.id))
    try:
        reject_submission(submission, actor=current_user, now=utcnow(), note=form.note.data)
    except FiguresError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash(_("已退回企业填报的数据。"), "info")
    return redirect(url_for("indicators.firm", firm_id=firm.id))


@bp.route("/pending")
def pending():
    return render_template("indicators/pending.html", items=list_pending(current_user))


def require_editor() -> None:
    """Entry forms are for officers and admins; leaders read the figures page only."""
    if not can_edit(current_user):
        abort(403)


def _show_errors(form, exc: FiguresError) -> None:
    for name, message in exc.errors.items():
        target = form._fields.get(name) or form._fields.get("fiscal_year")
        if target is not None:
            target.errors.append(message)


from pipeline.indicators import ip_views, screening_views  # noqa: E402,F401
