"""Excel: import firms and indicators, import published results lists, export lists and the 培育库 tier form."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate

bp = Blueprint("imports", __name__, url_prefix="/excel")
bp.before_request(staff_gate)

from pipeline.imports import views  # noqa: E402,F401
