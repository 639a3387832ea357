"""The admin's seal setting page: whether the 入库证书 carries the bureau's official 电子印章, and which image."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.permissions import admin_gate
from pipeline.certificates.forms import SealForm
from pipeline.certificates.seal import MAX_SEAL_BYTES, SealError, save_seal_setting, seal_setting
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.reminders.queries import settings_county_gate

bp = Blueprint("certificate_seal", __name__, url_prefix="/admin/certificate-seal")
bp.before_request(admin_gate)
bp.before_request(settings_county_gate)  # each county's admin sets that county's seal


@bp.route("/", methods=["GET", "POST"])
def settings():
    seal = seal_setting()
    form = SealForm(enabled=bool(seal and seal.enabled))
    if form.validate_on_submit():
        upload = form.image.data.read(MAX_SEAL_BYTES + 1) if form.image.data else None
        try:
            save_seal_setting(enabled=form.enabled.data, upload=upload, remove=form.remove.data, by=current_user,
                              now=utcnow())
        except SealError as error:
            db.session.rollback()
            form.image.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("设置已保存。此后新生成的证书 PDF 按此设置；已下载过的证书保持原样。"), "success")
            return redirect(url_for(".settings"))
    return render_template("certificates/seal_settings.html", form=form, seal=seal)


@bp.route("/image.png")
def image():
    seal = seal_setting()
    if seal is None or seal.image is None:
        abort(404)
    return Response(seal.image, mimetype="image/png", headers={"Cache-Control": "no-store"})
