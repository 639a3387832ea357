from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.dashboard.figures import build_track_figures, load_baselines
from pipeline.dashboard.queries import load_names, load_targets
from pipeline.dashboard.services import set_annual_baselines, set_annual_targets
from pipeline.dashboard.targets import bp
from pipeline.dashboard.targets.forms import (
    baseline_name,
    baseline_values,
    field_name,
    form_values,
    target_form,
)
from pipeline.dashboard.targets.services import changes_locked_target, city_set_targets, is_city_user
from pipeline.domain.periods import MAX_YEAR, MIN_YEAR
from pipeline.extensions import db
from pipeline.firms.models import Town
from pipeline.funnel.queries import list_tracks
from pipeline.i18n import local_today, local_zone


@bp.route("/", methods=["GET", "POST"])
def index():
    if is_city_user(current_user):  # a city admin sets its counties' targets, not a county's towns'
        return redirect(url_for("targets.city", year=request.args.get("year", type=int)))
    year = request.args.get("year", type=int) or local_today().year
    if not MIN_YEAR <= year <= MAX_YEAR:
        abort(404)
    tracks, towns = list_tracks(), load_names(Town)
    scopes = [None] + [town_id for town_id, _name in towns]
    current, baselines, locked = load_targets(year), load_baselines(year), city_set_targets(year)
    form = target_form(tracks, scopes, current, baselines, locked=locked)
    if request.method == "POST" and changes_locked_target(request.form, locked, field_name):
        flash(_("全县目标由市科技局下达，区县不能修改；本次未保存任何修改。"), "danger")
        return _page(form, year, tracks, towns, current, locked), 403
    if form.validate_on_submit():
        changed = set_annual_targets(year, form_values(form, tracks, scopes, locked), actor=current_user)
        changed += set_annual_baselines(year, baseline_values(form, tracks), actor=current_user)
        db.session.commit()
        flash(_("已保存 %(year)s 年度目标（%(n)s 项变更）。", year=year, n=changed), "success")
        return redirect(url_for("targets.index", year=year))
    return _page(form, year, tracks, towns, current, locked)


def _page(form, year, tracks, towns, current, locked):
    town_sums = {track.id: sum(v for (t, town), v in current.items() if t == track.id and town is not None)
                 for track in tracks}
    figures = build_track_figures(year, today=local_today(), zone=local_zone(), tracks=tracks)
    return render_template("dashboard/targets.html", form=form, year=year, tracks=tracks, towns=towns,
                           field_name=field_name, baseline_name=baseline_name, current=current,
                           town_sums=town_sums, figures=figures, locked=locked)
