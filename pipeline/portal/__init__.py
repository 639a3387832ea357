from flask import Blueprint

from pipeline.auth.permissions import firm_gate

bp = Blueprint("portal", __name__, url_prefix="/portal")
bp.before_request(firm_gate)

from pipeline.portal import views  # noqa: E402,F401
