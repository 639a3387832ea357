"""The 申报 checklist: the staff page per firm here, the firm's own in portal.py; both panels are template globals."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate
from pipeline.checklist.web import firm_checklists

bp = Blueprint("checklist", __name__, url_prefix="/checklist")
bp.before_request(staff_gate)
bp.add_app_template_global(firm_checklists)  # firm page and portal include templates/checklist/_panel.html

from pipeline.checklist import views  # noqa: E402,F401
