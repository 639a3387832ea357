"""The admin page where the annual certification targets are set, county-wide and per town."""

from flask import Blueprint

from pipeline.auth.permissions import admin_gate

bp = Blueprint("targets", __name__, url_prefix="/admin/targets")
bp.before_request(admin_gate)

from pipeline.dashboard.targets import views  # noqa: E402,F401
