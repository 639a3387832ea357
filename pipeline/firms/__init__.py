from flask import Blueprint

from pipeline.auth.permissions import staff_gate

bp = Blueprint("firms", __name__, url_prefix="/firms")
bp.before_request(staff_gate)

from pipeline.firms import views  # noqa: E402,F401
