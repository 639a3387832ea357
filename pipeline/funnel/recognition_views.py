"""Recognition batches of a track (省科小): recommend firms in 培育, record the 公示, then 认定 the whole batch."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.permissions import can_edit, visible_town_ids
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.funnel import bp
from pipeline.funnel.forms import BatchForm, PublicizeForm, RecognizeForm
from pipeline.funnel.models import RecognitionBatch
from pipeline.funnel.presenters import refusal_text
from pipeline.funnel.queries import get_track_or_404
from pipeline.funnel.recognition import (
    BatchError,
    create_batch,
    list_batches,
    list_recommendable,
    publicize_batch,
    recognize_batch,
)
from pipeline.i18n import local_today
from pipeline.web import form_ids

BATCH_TRACKS = ("prov_sme",)  # tracks recognised in batches by the city or province


def _track(code: str):
    if code not in BATCH_TRACKS:
        abort(404)
    return get_track_or_404(code)


def _batch_or_404(batch_id: int) -> RecognitionBatch:
    batch = db.session.get(RecognitionBatch, batch_id) if batch_id < 2**31 else None
    if batch is None or batch.track.code not in BATCH_TRACKS:
        abort(404)
    if not can_edit(current_user):
        abort(403)
    return batch


@bp.route("/batches/<code>", methods=["GET", "POST"])
def batches(code: str):
    track, form = _track(code), BatchForm()
    towns = visible_town_ids(current_user)
    if request.method == "POST":
        if not can_edit(current_user):
            abort(403)
        ids = form_ids("record_id")
        chosen = [r for r in list_recommendable(track, towns) if r.id in set(ids)]
        if form.validate():
            try:
                batch = create_batch(track, form.name.data, chosen, actor=current_user, now=utcnow())
            except BatchError as error:
                db.session.rollback()
                flash(_(error.message, **error.params), "danger")
            else:
                db.session.commit()
                flash(_("已建立批次“%(name)s”（%(n)s 家企业）。", name=batch.name, n=len(chosen)), "success")
                return redirect(url_for("funnel.batches", code=code))
    return render_template("funnel/batches.html", track=track, form=form, batches=list_batches(track),
                           recommendable=list_recommendable(track, towns), editable=can_edit(current_user),
                           publicize_form=PublicizeForm(formdata=None), recognize_form=RecognizeForm(formdata=None))


@bp.route("/batches/item/<int:batch_id>/publicize", methods=["POST"])
def batch_publicize(batch_id: int):
    batch, form = _batch_or_404(batch_id), PublicizeForm()
    try:
        if not form.validate():
            raise BatchError(next(iter(form.errors.values()))[0])
        publicize_batch(batch, on=form.publicized_on.data, today=local_today())
    except BatchError as error:
        db.session.rollback()
        flash(_(error.message, **error.params), "danger")
    else:
        db.session.commit()
        flash(_("已记录“%(name)s”的公示日期。", name=batch.name), "success")
    return redirect(url_for("funnel.batches", code=batch.track.code))


@bp.route("/batches/item/<int:batch_id>/recognize", methods=["POST"])
def batch_recognize(batch_id: int):
    batch, form = _batch_or_404(batch_id), RecognizeForm()
    code = batch.track.code
    try:
        if not form.validate():
            raise BatchError(next(iter(form.errors.values()))[0])
        result = recognize_batch(batch, on=form.recognized_on.data, document_number=form.document_number.data,
                                 actor=current_user, now=utcnow())
    except BatchError as error:
        db.session.rollback()
        flash(_(error.message, **error.params), "danger")
        return redirect(url_for("funnel.batches", code=code))
    refused = [(record.firm.name, refusal_text(refusal)) for record, refusal in result.refused]
    db.session.commit()
    flash(_("“%(name)s”已认定：%(n)s 家企业移到“认定”。", name=batch.name, n=len(result.moved)), "success")
    for name, reason in refused[:10]:
        flash(_("%(name)s 未认定：%(reason)s", name=name, reason=reason), "warning")
    return redirect(url_for("funnel.batches", code=code))

