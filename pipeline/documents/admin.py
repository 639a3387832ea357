"""The admin's list of document types: add, rename, switch off (a type in use is never deleted)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from pipeline.auth.permissions import admin_gate
from pipeline.documents.forms import DocumentTypeForm
from pipeline.documents.queries import get_document_type_or_404, list_document_types
from pipeline.documents.services import DocumentError, save_document_type
from pipeline.extensions import db

bp = Blueprint("documents_admin", __name__, url_prefix="/admin/documents")
bp.before_request(admin_gate)


@bp.route("/types")
def types():
    return render_template("documents/admin_types.html", types=list_document_types(active_only=False))


@bp.route("/types/new", methods=["GET", "POST"], defaults={"type_id": None})
@bp.route("/types/<int:type_id>/edit", methods=["GET", "POST"])
def type_form(type_id: int | None):
    doc_type = get_document_type_or_404(type_id) if type_id else None
    form = DocumentTypeForm(obj=doc_type, data=None if doc_type else {"active": True, "firm_may_upload": True})
    if doc_type is not None:
        form.code.data, form.code.render_kw = doc_type.code, {"readonly": True}
    if form.validate_on_submit():
        try:
            saved = save_document_type(doc_type, form.values())
        except DocumentError as exc:
            db.session.rollback()
            form.code.errors.append(str(exc))
            return render_template("documents/admin_type_form.html", form=form, doc_type=doc_type), 422
        db.session.commit()
        flash(_("已保存材料类型“%(name)s”。", name=saved.name), "success")
        return redirect(url_for(".types"))
    return render_template("documents/admin_type_form.html", form=form, doc_type=doc_type)
