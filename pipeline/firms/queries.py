"""Read-side queries for firms, always scoped to what the user may see."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.auth.permissions import can_see_firm
from pipeline.extensions import db
from pipeline.firms.models import Firm


def get_firm_or_404(firm_id: int, for_user: User) -> Firm:
    """Load a firm the user may see; anything else is 404, so that no one learns what exists."""
    firm = db.session.get(Firm, firm_id)
    if firm is None or not can_see_firm(for_user, firm):
        abort(404)
    return firm


def list_firms_page(for_user: User, limit: int = 50) -> list[Firm]:
    from pipeline.auth.permissions import visible_town_ids

    stmt = select(Firm).order_by(Firm.id).limit(limit)
    towns = visible_town_ids(for_user)
    if towns is not None:
        stmt = stmt.where(Firm.town_id.in_(towns))
    return list(db.session.scalars(stmt))
