from flask import Blueprint

from pipeline.auth.permissions import staff_gate

bp = Blueprint("funnel", __name__, url_prefix="/funnel")
bp.before_request(staff_gate)

from pipeline.funnel import views  # noqa: E402,F401
