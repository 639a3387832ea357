"""The monthly funnel report: PDF rendering, the archive, sending to the leaders."""

from flask import Blueprint

from pipeline.auth.permissions import county_gate, staff_gate

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.before_request(staff_gate)
# The report's annexes list firms of every town: officers limited to some towns do not open it.
bp.before_request(county_gate)

from pipeline.reports import views  # noqa: E402,F401
