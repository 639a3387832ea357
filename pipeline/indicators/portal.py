"""The firm's own figures in the portal: see the confirmed ones and "还差什么", submit new ones (待核实).

Every query goes through current_user.firm: a firm user never reaches another firm's figures.
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.permissions import firm_gate
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.i18n import local_today
from pipeline.indicators.forms import FirmFactsForm, YearForm, year_choices
from pipeline.indicators.presenters import facts_initial, year_initial
from pipeline.indicators.queries import check_year_or_404, load_figures
from pipeline.indicators.services import FiguresError, evaluate_firm, submit_facts, submit_year

bp = Blueprint("indicator_portal", __name__, url_prefix="/portal/figures")
bp.before_request(firm_gate)


@bp.route("/")
def index():
    firm = current_user.firm
    return render_template("indicators/portal.html", firm=firm, figures=load_figures(firm.id),
                           assessment=evaluate_firm(firm, local_today()))


@bp.route("/years/new", methods=["GET", "POST"])
@bp.route("/years/<int:fiscal_year>", methods=["GET", "POST"])
def year(fiscal_year: int | None = None):
    firm = current_user.firm
    check_year_or_404(fiscal_year)
    figures = load_figures(firm.id)
    form = YearForm(data=_own_first(figures, fiscal_year))
    form.fiscal_year.choices = year_choices(local_today())
    if form.validate_on_submit():
        chosen = fiscal_year or int(form.fiscal_year.data)
        try:
            submit_year(firm, chosen, form.checked.values, actor=current_user, now=utcnow())
        except FiguresError as exc:
            for name, message in exc.errors.items():
                (form._fields.get(name) or form.fiscal_year).errors.append(message)
        else:
            db.session.commit()
            flash(_("已提交 %(year)s 年度指标，待科技局核实。", year=chosen), "success")
            return redirect(url_for("indicator_portal.index"))
    return render_template("indicators/portal_year_form.html", firm=firm, form=form, fiscal_year=fiscal_year,
                           official=figures.official_years.get(fiscal_year))


@bp.route("/facts", methods=["GET", "POST"])
def facts():
    firm = current_user.firm
    figures = load_figures(firm.id)
    form = FirmFactsForm(data=facts_initial(figures.firm_facts or figures.official_facts))
    if form.validate_on_submit():
        try:
            submit_facts(firm, form.checked.values, actor=current_user, now=utcnow())
        except FiguresError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("已提交企业信息，待科技局核实。"), "success")
            return redirect(url_for("indicator_portal.index"))
    return render_template("indicators/portal_facts_form.html", firm=firm, form=form)


def _own_first(figures, fiscal_year: int | None) -> dict:
    """A firm edits its own submission when there is one, else starts from the confirmed figures."""
    if fiscal_year is not None and fiscal_year in figures.firm_years:
        own = type(figures)(official_years={}, firm_years={fiscal_year: figures.firm_years[fiscal_year]})
        return year_initial(own, fiscal_year, local_today())
    return year_initial(figures, fiscal_year, local_today())
