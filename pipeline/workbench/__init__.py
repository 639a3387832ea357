"""工作台: the officer's landing page, today's to-dos for the firms they look after."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate

bp = Blueprint("workbench", __name__, url_prefix="/workbench")
bp.before_request(staff_gate)


def print_date() -> str:
    """Today's date in the bureau's time zone, printed in every page's header on paper (templates/base.html)."""
    from pipeline.i18n import local_today

    return local_today().isoformat()


bp.add_app_template_global(print_date)

from pipeline.workbench import views  # noqa: E402,F401
