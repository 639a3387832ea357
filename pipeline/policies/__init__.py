"""惠企政策一键智达 (issue 25): the policy catalogue matched to firms, pushed to them, and the incentive ledger.

Staff pages here (views.py, ledger_views.py); the firm's 可享受的政策 in portal.py."""

from flask import Blueprint

from pipeline.auth.permissions import staff_gate
from pipeline.domain.exact import plain
from pipeline.policies.queries import incentives_paid_this_year
from pipeline.policies.receivers import connect_receivers


def wan(value) -> str:
    """An amount in 万元 as people write it (20, 12.5, 0.0125), or — when there is none."""
    return "—" if value is None else plain(value)


bp = Blueprint("policies", __name__, url_prefix="/policies")
bp.before_request(staff_gate)
bp.record_once(connect_receivers)
bp.add_app_template_filter(wan, "wan")
bp.add_app_template_global(incentives_paid_this_year)  # templates/dashboard/index.html includes the block  # follow stage moves and figure saves once the app registers the blueprint

from pipeline.policies import ledger_views, views  # noqa: E402,F401
