"""Admin settings of the funnel: tracks, stale thresholds, officers' towns."""

from flask import Blueprint

from pipeline.auth.permissions import admin_gate

bp = Blueprint("funnel_admin", __name__, url_prefix="/admin/funnel")
bp.before_request(admin_gate)

from pipeline.funnel.admin import views  # noqa: E402,F401
