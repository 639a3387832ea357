"""Staff pages of a firm's documents: the list with its history and the upload form; downloads."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from pipeline.auth.permissions import can_move
from pipeline.documents import bp
from pipeline.documents.queries import get_version_or_404
from pipeline.documents.web import (
    firm_document_panel,
    handle_upload,
    send_version,
    too_large_message,
    upload_form,
)
from pipeline.firms.queries import get_firm_or_404


def _page(firm, form, status: int = 200):
    return render_template("documents/firm.html", firm=firm, form=form, panel=firm_document_panel(firm),
                           may_upload=can_move(current_user, firm)), status


@bp.route("/firms/<int:firm_id>", methods=["GET", "POST"])
def firm_documents(firm_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    form = upload_form(firm_user=False, type_id=request.args.get("type"), fiscal_year=request.args.get("fiscal_year"),
                       document_id=request.args.get("document"), service_record_id=request.args.get("service"))
    if request.method == "POST" and can_move(current_user, firm):
        if handle_upload(firm, form):
            return redirect(url_for("documents.firm_documents", firm_id=firm.id))
        return _page(firm, form, 422)
    return _page(firm, form)


@bp.route("/versions/<int:version_id>")
def download(version_id: int):
    return send_version(get_version_or_404(version_id, current_user))


@bp.errorhandler(413)
def too_large(_error):
    firm = get_firm_or_404((request.view_args or {}).get("firm_id", 0), current_user)
    form = upload_form(firm_user=False, blank=True)
    form.file.errors = [too_large_message()]
    return _page(firm, form, 413)
