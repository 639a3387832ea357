from flask import current_app, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.dashboard.forms import period_choices, read_period
from pipeline.dashboard.presentation import track_charts
from pipeline.db import utcnow
from pipeline.domain.periods import MAX_YEAR, MIN_YEAR
from pipeline.extensions import db
from pipeline.hygiene import bounded_int
from pipeline.i18n import local_today, local_zone, track_short_name
from pipeline.rollup import bp
from pipeline.rollup.access import county_in_scope_or_404
from pipeline.rollup.services import SORTS, NoLinks, build_rollup, county_dashboard, list_counties
from pipeline.tenancy.models import Authority
from pipeline.tenancy.scope import current_scope

YEARS_SHOWN = 5  # this year and the four before it in the year selector


@bp.route("/")
def index():
    today = local_today()
    year = read_year(request.args.get("year"), today.year)
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else SORTS[0]
    rollup = build_rollup(current_scope().county_ids, year, today=today, zone=local_zone(), sort=sort)
    years = sorted({today.year - n for n in range(YEARS_SHOWN)} | {year}, reverse=True)
    return render_template("rollup/index.html", rollup=rollup, years=years, sorts=SORTS,
                           authority=db.session.get(Authority, current_user.authority_id))


@bp.route("/counties/<int:county_id>")
def county(county_id: int):
    county = list_counties([county_in_scope_or_404(county_id)])[0]
    today = local_today()
    period, error = read_period(request.args, today)
    if error:
        flash(error, "warning")
    max_age = current_app.config["PIPELINE_DASHBOARD_CACHE_SECONDS"]
    stats, paid = county_dashboard(county.id, period, now=utcnow(), zone=local_zone(), max_age=max_age,
                                   list_limit=current_app.config.get("PIPELINE_DASHBOARD_LIST_LIMIT", 20))
    # The county's own dashboard page; its incentives block reads the county's figures, not the city's.
    return render_template("dashboard/index.html", stats=stats, period=period, links=NoLinks(), county=county,
                           cache_seconds=max_age, choices=period_choices(today, period),
                           charts={t.code: track_charts(t) for t in stats.tracks},
                           track_short={t.code: track_short_name(t) for t in stats.tracks},
                           incentives_paid_this_year=lambda: paid)


def read_year(value: str | None, default: int) -> int:
    """The year asked for (?year=), or `default` with a message for anything that is not a year we count."""
    if not value:
        return default
    year = bounded_int(value, minimum=MIN_YEAR, maximum=MAX_YEAR)
    if year is None:
        flash(_("年份应为 %(first)s 至 %(last)s 之间的整数，已显示 %(year)s 年。", first=MIN_YEAR, last=MAX_YEAR,
                year=default), "warning")
        return default
    return year
