"""Indicators: a firm's figures (officer and firm versions), its evaluation and gaps, automatic screening."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate

bp = Blueprint("indicators", __name__, url_prefix="/indicators")
bp.before_request(staff_gate)


@bp.app_context_processor
def _indicator_globals() -> dict:
    from pipeline.indicators.template_globals import template_context

    return template_context()


from pipeline.indicators import views  # noqa: E402,F401
