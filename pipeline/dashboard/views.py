from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pipeline.auth.permissions import visible_town_ids
from pipeline.dashboard import bp, links
from pipeline.dashboard.forms import period_choices, read_period
from pipeline.dashboard.presentation import track_charts
from pipeline.dashboard.stats import build_funnel_stats
from pipeline.dashboard.stats_cache import cache_key, cached_stats
from pipeline.db import utcnow
from pipeline.i18n import local_today, local_zone, track_short_name
from pipeline.rollup.access import reads_rollup


@bp.route("/")
def index():
    if reads_rollup(current_user):  # one query over several counties would show one county's target per track
        return redirect(url_for("rollup.index"))
    today = local_today()
    period, error = read_period(request.args, today)
    if error:
        flash(error, "warning")
    town_ids, list_limit = visible_town_ids(current_user), current_app.config.get("PIPELINE_DASHBOARD_LIST_LIMIT", 20)
    max_age = current_app.config["PIPELINE_DASHBOARD_CACHE_SECONDS"]
    stats = cached_stats(cache_key(period.key, town_ids, list_limit), lambda: build_funnel_stats(
        period, now=utcnow(), zone=local_zone(), town_ids=town_ids, list_limit=list_limit), max_age=max_age)
    return render_template("dashboard/index.html", stats=stats, period=period, links=links, cache_seconds=max_age,
                           choices=period_choices(today, period), charts={t.code: track_charts(t) for t in stats.tracks},
                           track_short={t.code: track_short_name(t) for t in stats.tracks})
