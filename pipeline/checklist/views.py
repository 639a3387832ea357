"""The 申报 checklist of one firm, for its officer (a page of its own, printable)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from pipeline.auth.permissions import can_move
from pipeline.checklist import bp
from pipeline.firms.queries import get_firm_or_404


@bp.route("/firms/<int:firm_id>")
def firm(firm_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    return render_template("checklist/firm.html", firm=firm, portal=False, may_edit=can_move(current_user, firm))
