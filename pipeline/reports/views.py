from io import BytesIO

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.accounts.subscriptions import report_recipients
from pipeline.audit.queries import report_recipients_by_month
from pipeline.auth.permissions import can_edit
from pipeline.db import utcnow
from pipeline.domain.periods import parse_month
from pipeline.extensions import db
from pipeline.i18n import local_today, local_zone
from pipeline.reports import bp
from pipeline.reports.background import launch_render, render_state, start_report_render
from pipeline.reports.forms import RenderForm
from pipeline.reports.jobs import next_monthly_report
from pipeline.reports.models import RENDER_STATUS_LABELS, RenderStatus
from pipeline.reports.queries import get_render_or_404, get_report_or_404, list_recent_renders, list_reports
from pipeline.web import send_attachment


@bp.route("/")
def index():
    form = RenderForm(local_today())
    next_run, next_month = next_monthly_report(utcnow(), local_zone())
    next_recipients = report_recipients(current_app.config.get("PIPELINE_LEADER_EMAILS") or [])
    return render_template("reports/index.html", reports=list_reports(), renders=list_recent_renders(),
                           form=form, can_render=can_edit(current_user), watch=request.args.get("render", type=int),
                           state=lambda r: render_state(r, utcnow()), status_labels=RENDER_STATUS_LABELS,
                           recipients=report_recipients_by_month(), next_run=next_run, next_month=next_month,
                           next_recipients=next_recipients)


@bp.route("/archive")
def archive():
    """The archive table alone: reports.js swaps it in when a render finishes, without reloading the page."""
    return render_template("reports/_archive.html", reports=list_reports(), recipients=report_recipients_by_month())


@bp.route("/render", methods=["POST"])
def render():
    form = RenderForm(local_today())
    if not form.validate_on_submit():
        flash(_("请选择要生成的月份。"), "warning")
        return redirect(url_for("reports.index"))
    job, created = start_report_render(parse_month(form.month.data), user=current_user, now=utcnow())
    db.session.commit()
    if created:
        launch_render(current_app._get_current_object(), job.id)
    flash(_("已开始生成 %(month)s 月报，完成后可在下方下载。", month=form.month.data), "info")
    return redirect(url_for("reports.index", render=job.id))


@bp.route("/renders/<int:render_id>")
def render_status(render_id: int):
    job = get_render_or_404(render_id)
    state = render_state(job, utcnow())
    done = state == RenderStatus.DONE.value and job.report_id is not None
    return jsonify(status=state, step=_(job.step), percent=job.percent, error=job.error or None,
                   label=_(RENDER_STATUS_LABELS[RenderStatus(state)]),
                   download_url=url_for("reports.download", month=job.month) if done else None)


@bp.route("/<month>.pdf")
def download(month: str):
    report = get_report_or_404(month)
    return send_attachment(BytesIO(report.pdf), mimetype="application/pdf", filename=report.filename,
                           inline=request.args.get("inline") == "1", etag=report.sha256,
                           last_modified=report.generated_at)
