"""Firm documents (企业材料): the staff pages; the portal's and the admin's are in portal.py and admin.py."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate
from pipeline.documents.content import file_size
from pipeline.documents.web import firm_document_panel, type_label

bp = Blueprint("documents", __name__, url_prefix="/documents")
bp.before_request(staff_gate)
bp.add_app_template_global(firm_document_panel)  # templates/firms/detail.html includes the panel
bp.add_app_template_filter(type_label, "doc_type")
bp.add_app_template_filter(file_size, "file_size")

from pipeline.documents import views  # noqa: E402,F401
