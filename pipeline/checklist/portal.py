"""The firm's own 申报 checklist in the portal."""

from __future__ import annotations

from flask import Blueprint, render_template

from pipeline.auth.permissions import firm_gate
from pipeline.portal.views import own_firm

bp = Blueprint("checklist_portal", __name__, url_prefix="/portal/checklist")
bp.before_request(firm_gate)


@bp.route("/")
def index():
    return render_template("checklist/portal.html", firm=own_firm(), portal=True, may_edit=True)
