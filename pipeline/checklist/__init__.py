"""The 申报 checklist: the staff page per firm here, the firm's own in portal.py; both panels are template globals,
and so are the documents the gap list names (document_needs: the checklist's document items)."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate
from pipeline.checklist.services import document_needs
from pipeline.checklist.web import firm_checklists

bp = Blueprint("checklist", __name__, url_prefix="/checklist")
bp.before_request(staff_gate)
bp.add_app_template_global(firm_checklists)  # firm page and portal include templates/checklist/_panel.html
bp.add_app_template_global(document_needs)  # the gap lists: templates/indicators/_firm_gaps.html, _portal_gaps.html

from pipeline.checklist import views  # noqa: E402,F401
