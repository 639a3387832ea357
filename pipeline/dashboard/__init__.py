"""The funnel dashboard for officers and leaders: stocks, flows, conversions, time in stage, targets, risks."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
bp.before_request(staff_gate)

from pipeline.dashboard import views  # noqa: E402,F401
from pipeline.dashboard.presentation import days, month_label, pct  # noqa: E402

bp.add_app_template_filter(pct, "pct")
bp.add_app_template_filter(days, "days")
bp.add_app_template_filter(month_label, "month_label")
