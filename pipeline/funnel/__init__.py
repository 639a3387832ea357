from flask import Blueprint

from pipeline.auth.permissions import staff_gate

bp = Blueprint("funnel", __name__, url_prefix="/funnel")
bp.before_request(staff_gate)

from pipeline.funnel import prov_sme_views, recert_views, recognition_views, views  # noqa: E402,F401
from pipeline.funnel.presenters import number_name, stage_badge, stage_name  # noqa: E402

for _global in (number_name, stage_badge, stage_name):
    bp.add_app_template_global(_global)
