"""Indicators: a firm's figures (officer and firm versions), its evaluation and gaps, automatic screening."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate

bp = Blueprint("indicators", __name__, url_prefix="/indicators")
bp.before_request(staff_gate)


@bp.record_once
def _template_globals(state) -> None:
    """Helpers the indicator templates and the firm page's / portal's gaps slots call (macros see globals)."""
    from pipeline.indicators.template_globals import template_context

    state.app.jinja_env.globals.update(template_context())


@bp.record_once
def _verdict_provider(state) -> None:
    """Reminder rule 6 (高企 application batches) asks the engine for verdicts through this provider."""
    from pipeline.indicators.services import hnte_verdict_map
    from pipeline.reminders.verdicts import register_hnte_verdict_provider

    register_hnte_verdict_provider(state.app, hnte_verdict_map)


from pipeline.indicators import views  # noqa: E402,F401
