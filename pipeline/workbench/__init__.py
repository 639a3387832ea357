"""工作台: the officer's landing page, today's to-dos for the firms they look after."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate

bp = Blueprint("workbench", __name__, url_prefix="/workbench")
bp.before_request(staff_gate)

from pipeline.workbench import views  # noqa: E402,F401
