"""The funnel dashboard for officers and leaders: stocks, flows, conversions, time in stage, targets, risks."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
bp.before_request(staff_gate)

from pipeline.dashboard import views  # noqa: E402,F401
