"""Roll-ups for the levels above the county (issue 24): a city's or a province's key figures summed over the
counties below it, those counties ranked against their targets, and one county's dashboard figures (without any
firm's contact details). City and province users only read."""

from flask import Blueprint

from pipeline.rollup.access import rollup_gate

bp = Blueprint("rollup", __name__, url_prefix="/rollup")
bp.before_request(rollup_gate)

from pipeline.rollup import views  # noqa: E402,F401
