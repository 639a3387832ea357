"""The city's page (issue 24): each county's county-wide targets per track and year, set by the city's admins and
read by its leaders; the counties see them read-only on their own targets page."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.models import Role
from pipeline.auth.permissions import SAFE_METHODS, admin_gate, staff_gate
from pipeline.dashboard.figures import build_county_figures
from pipeline.dashboard.targets import bp
from pipeline.dashboard.targets.forms import city_field_name, city_form_values, city_target_form
from pipeline.dashboard.targets.services import (
    is_city_user,
    list_city_counties,
    load_city_targets,
    set_county_targets,
)
from pipeline.domain.periods import MAX_YEAR, MIN_YEAR
from pipeline.extensions import db
from pipeline.funnel.queries import list_tracks
from pipeline.i18n import local_today, local_zone


def targets_gate():
    """The blueprint's gate: a county's targets page is its admins'; the city's page is its staff's (below)."""
    return city_gate() if request.endpoint == "targets.city" else admin_gate()


def city_gate():
    """Staff of a city only (others: 404); only its admins may save."""
    response = staff_gate()
    if response is not None:
        return response
    if not is_city_user(current_user):
        abort(404)
    if request.method not in SAFE_METHODS and current_user.role is not Role.ADMIN:
        abort(403)
    return None


@bp.route("/city/", methods=["GET", "POST"])
def city():
    year = request.args.get("year", type=int) or local_today().year
    if not MIN_YEAR <= year <= MAX_YEAR:
        abort(404)
    city_id, tracks = current_user.authority_id, list_tracks()
    counties = [(county.id, county.name) for county in list_city_counties(city_id)]
    county_ids = [county_id for county_id, _name in counties]
    targets = load_city_targets(county_ids, year)
    form = city_target_form(tracks, county_ids, {key: value for key, (value, by) in targets.items() if by == city_id})
    if form.validate_on_submit():
        changed = set_county_targets(city_id, year, city_form_values(form, tracks, county_ids), actor=current_user)
        db.session.commit()
        flash(_("已保存 %(year)s 年度各区县目标（%(n)s 项变更）。", year=year, n=changed), "success")
        return redirect(url_for("targets.city", year=year))
    figures = build_county_figures(county_ids, year, today=local_today(), zone=local_zone(), tracks=tracks)
    return render_template("dashboard/city_targets.html", form=form, year=year, tracks=tracks, counties=counties,
                           targets=targets, figures=figures, city_id=city_id, field_name=city_field_name,
                           can_set=current_user.role is Role.ADMIN)
