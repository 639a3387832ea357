"""Batch re-issue pages (administrators): start a batch, watch its progress, download the ZIP."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.audit.web import audit_download
from pipeline.auth.permissions import admin_gate
from pipeline.certificates.batches import active_batch, batch_progress, create_batch, start_batch_thread
from pipeline.certificates.forms import BatchForm
from pipeline.certificates.models import BatchStatus
from pipeline.certificates.queries import certificate_years, get_batch_or_404, list_batches
from pipeline.certificates.services import CertificateError
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.web import send_attachment

bp = Blueprint("certificate_batches", __name__, url_prefix="/certificates/batches")
bp.before_request(admin_gate)


@bp.route("/", methods=["GET", "POST"])
def index():
    form = BatchForm()
    form.set_years(certificate_years())
    if form.validate_on_submit():
        try:
            batch = create_batch(form.year.data, actor=current_user, now=utcnow(), reason=form.reason.data)
        except CertificateError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for(".index"))
        db.session.commit()
        start_batch_thread(current_app._get_current_object(), batch.id)
        return redirect(url_for(".show", batch_id=batch.id))
    return render_template("certificates/batches.html", form=form, batches=list_batches(),
                           running=active_batch(utcnow()), progress=batch_progress, now=utcnow())


@bp.route("/<int:batch_id>")
def show(batch_id: int):
    batch = get_batch_or_404(batch_id)
    return render_template("certificates/batch.html", batch=batch, progress=batch_progress(batch, utcnow()))


@bp.route("/<int:batch_id>/progress")
def progress(batch_id: int):
    return jsonify(batch_progress(get_batch_or_404(batch_id), utcnow()))


@bp.route("/<int:batch_id>/download")
def download(batch_id: int):
    batch = get_batch_or_404(batch_id)
    path = Path(batch.zip_path) if batch.zip_path else None
    if batch.status is not BatchStatus.DONE or path is None or not path.is_file():
        abort(404)
    audit_download(f"certificate_batch_{batch.id}.zip")
    return send_attachment(path, mimetype="application/zip",
                           filename=_("入库证书-%(year)s年度-批次%(id)s.zip", year=batch.year, id=batch.id))
