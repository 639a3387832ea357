from flask import current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from pipeline.audit.web import audit_download
from pipeline.auth.permissions import can_edit
from pipeline.dashboard.links import FilterError
from pipeline.db import utcnow
from pipeline.errors import render_error
from pipeline.extensions import db
from pipeline.firms.models import Industry, Town
from pipeline.i18n import local_today
from pipeline.imports import bp
from pipeline.imports.export import XLSX, export_firms, export_pool, template_workbook
from pipeline.imports.firm_apply import ApplyError
from pipeline.imports.forms import LIST_KIND_LABELS, ConfirmForm, FirmImportForm, ResultsImportForm
from pipeline.imports.models import ImportBatch
from pipeline.imports.reader import ReadError
from pipeline.imports.results import STATUS_LABELS
from pipeline.imports.scope import export_scope, firm_list_scope, importable_tracks, track_or_404
from pipeline.imports.services import (
    ImportRefused,
    confirm_firm_import,
    confirm_results_import,
    preview_firm_import,
    preview_results_import,
)
from pipeline.imports.storage import (
    ProgressFile,
    batch_options,
    batch_payload,
    get_batch_or_404,
    new_token,
    read_progress,
    valid_token,
)
from pipeline.tenancy.services import bureau_name
from pipeline.web import send_attachment


def _forms(firm_form=None, results_form=None) -> dict:
    # formdata=None: a blank form, which never reads the request body (it may be the one refused as too large)
    firm_form = firm_form or FirmImportForm(formdata=None, token=new_token())
    results_form = results_form or ResultsImportForm(formdata=None, token=new_token())
    for form in (firm_form, results_form):
        if not valid_token(form.token.data):
            form.token.data = new_token()
    results_form.track.choices = [SelectChoice(t.code, t.name) for t in importable_tracks()]
    return {"firm_form": firm_form, "results_form": results_form, "editable": can_edit(current_user),
            "max_mb": current_app.config["PIPELINE_MAX_UPLOAD_BYTES"] // (1024 * 1024)}


@bp.route("/")
def index():
    return render_template("imports/index.html", **_forms())


@bp.errorhandler(413)
def too_large(exc):
    flash(_("文件太大：上传上限为 %(mb)s MB，请拆分后分批导入。", mb=_forms()["max_mb"]), "danger")
    return render_template("imports/index.html", **_forms()), 413


def _token(form) -> str:
    token = form.token.data
    taken = valid_token(token) and db.session.scalar(select(ImportBatch.id).where(ImportBatch.token == token))
    return token if valid_token(token) and not taken else new_token()


@bp.route("/imports", methods=["POST"])
def upload_firms():
    form = FirmImportForm()
    if not form.validate_on_submit():
        return render_template("imports/index.html", **_forms(firm_form=form)), 400
    token = _token(form)
    progress = ProgressFile(token, current_user.id, "reading")
    try:
        batch = preview_firm_import(form.file.data.stream, form.file.data.filename or "", user=current_user,
                                    token=token, today=local_today(), now=utcnow(), progress=progress,
                                    max_rows=current_app.config["PIPELINE_IMPORT_MAX_ROWS"])
    except ReadError as exc:
        db.session.rollback()
        form.file.errors.append(str(exc))
        return render_template("imports/index.html", **_forms(firm_form=form)), 400
    finally:
        progress.remove()
    db.session.commit()
    return redirect(url_for("imports.preview", token=batch.token))


@bp.route("/results", methods=["POST"])
def upload_results():
    form = ResultsImportForm()
    form.track.choices = [SelectChoice(t.code, t.name) for t in importable_tracks()]
    if not form.validate_on_submit():
        return render_template("imports/index.html", **_forms(results_form=form)), 400
    try:
        batch = preview_results_import(form.file.data.stream, form.file.data.filename or "", user=current_user,
                                       token=_token(form), track=track_or_404(form.track.data),
                                       list_kind=form.list_kind.data, today=local_today(), now=utcnow(),
                                       max_rows=current_app.config["PIPELINE_IMPORT_MAX_ROWS"])
    except ReadError as exc:
        db.session.rollback()
        form.file.errors.append(str(exc))
        return render_template("imports/index.html", **_forms(results_form=form)), 400
    db.session.commit()
    return redirect(url_for("imports.preview", token=batch.token))


@bp.route("/imports/<token>")
def preview(token: str):
    batch = get_batch_or_404(token, current_user)
    payload, options = batch_payload(batch), batch_options(batch)
    if batch.kind == "results":
        return render_template("imports/preview_results.html", batch=batch, payload=payload, form=ConfirmForm(),
                               track=track_or_404(options["track"]), list_kind=options["list_kind"],
                               kind_labels=LIST_KIND_LABELS, status_labels=STATUS_LABELS,
                               editable=can_edit(current_user))
    return render_template("imports/preview_firms.html", batch=batch, payload=payload, form=ConfirmForm(),
                           editable=can_edit(current_user))


@bp.route("/imports/<token>/confirm", methods=["POST"])
def confirm(token: str):
    batch = get_batch_or_404(token, current_user)
    progress = ProgressFile(token, current_user.id, "writing")
    try:
        if batch.kind == "results":
            confirm_results_import(batch, track_or_404(batch_options(batch)["track"]), user=current_user,
                                   now=utcnow(), today=local_today())
        else:
            confirm_firm_import(batch, user=current_user, now=utcnow(), progress=progress)
    except (ImportRefused, ApplyError) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("imports.preview", token=token))
    finally:
        progress.remove()
    db.session.commit()
    flash(_("导入完成。"), "success")
    return redirect(url_for("imports.preview", token=token))


@bp.route("/progress/<token>")
def progress(token: str):
    return jsonify(read_progress(token, current_user))


@bp.route("/template.xlsx")
def template():
    towns = list(db.session.scalars(select(Town.name).order_by(Town.sort_order, Town.id)))
    industries = list(db.session.scalars(select(Industry.name).order_by(Industry.sort_order, Industry.id)))
    return send_attachment(template_workbook(towns, industries), mimetype=XLSX, filename="企业与指标导入模板.xlsx")


@bp.route("/export/firms.xlsx")
def export_firm_list():
    try:
        scope, tracks = firm_list_scope(current_user), importable_tracks()
    except FilterError as exc:  # a history filter that cannot be read: say so rather than export other firms
        return render_error(400, str(exc))
    audit_download("firms.xlsx")
    return send_attachment(export_firms(scope, local_today(), tracks), mimetype=XLSX,
                           filename=f"企业名单-{local_today().isoformat()}.xlsx")


@bp.route("/export/pool.xlsx")
def export_pool_list():
    audit_download("pool.xlsx")
    handle = export_pool(export_scope(current_user), importable_tracks(), local_today(),
                         bureau_name())
    return send_attachment(handle, mimetype=XLSX, filename=f"培育库名单-{local_today().isoformat()}.xlsx")
