"""The firm's own documents in the portal: its list, uploads and downloads (another firm's: 404)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from pipeline.auth.permissions import firm_gate
from pipeline.documents.queries import get_version_or_404
from pipeline.documents.web import (
    firm_document_panel,
    handle_upload,
    send_version,
    too_large_message,
    upload_form,
)
from pipeline.portal.views import own_firm

bp = Blueprint("documents_portal", __name__, url_prefix="/portal/documents")
bp.before_request(firm_gate)


def _page(form, status: int = 200):
    firm = own_firm()
    return render_template("documents/portal.html", firm=firm, form=form, panel=firm_document_panel(firm)), status


@bp.route("/", methods=["GET", "POST"])
def index():
    form = upload_form(firm_user=True, type_id=request.args.get("type"), fiscal_year=request.args.get("fiscal_year"),
                       document_id=request.args.get("document"))
    if handle_upload(own_firm(), form):
        return redirect(url_for(".index"))
    return _page(form, 422 if request.method == "POST" else 200)


@bp.route("/versions/<int:version_id>")
def download(version_id: int):
    return send_version(get_version_or_404(version_id, current_user))


@bp.errorhandler(413)
def too_large(_error):
    form = upload_form(firm_user=True, blank=True)
    form.file.errors = [too_large_message()]
    return _page(form, 413)
