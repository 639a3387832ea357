from flask import Blueprint

from pipeline.auth.permissions import staff_gate
from pipeline.certificates.queries import firm_certificate_panel
from pipeline.certificates.receivers import connect_receivers

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
bp.before_request(staff_gate)
bp.record_once(connect_receivers)  # subscribe to the funnel when the app registers the blueprint, not at import
bp.add_app_template_global(firm_certificate_panel)  # templates/firms/detail.html includes the panel

from pipeline.certificates import views  # noqa: E402,F401
