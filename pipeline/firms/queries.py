"""Read-side queries for firms, always scoped to what the user may see (the filtered list is in search.py)."""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from pipeline.auth.models import Role, User
from pipeline.auth.permissions import can_see_firm, visible_town_ids
from pipeline.extensions import db
from pipeline.firms.models import Firm, FirmEdit, Industry, ServiceRecord, Town
from pipeline.web import MAX_ID


def get_firm_or_404(firm_id: int, for_user: User) -> Firm:
    """Load a firm the user may see; anything else is 404, so that no one learns what exists."""
    firm = db.session.get(Firm, firm_id) if 0 < firm_id <= MAX_ID else None
    if firm is None or not can_see_firm(for_user, firm):
        abort(404)
    return firm


def list_towns(for_user: User | None = None) -> list[Town]:
    """Towns in county order; for an officer limited to some towns, only those."""
    stmt = select(Town).order_by(Town.sort_order, Town.id)
    towns = visible_town_ids(for_user) if for_user is not None else None
    if towns is not None:
        stmt = stmt.where(Town.id.in_(towns))
    return list(db.session.scalars(stmt))


def list_officers() -> list[User]:
    """Users who can be a firm's responsible officer."""
    stmt = select(User).where(User.role.in_((Role.OFFICER, Role.ADMIN)), User.active.is_(True))
    return list(db.session.scalars(stmt.order_by(User.role.desc(), User.display_name, User.id)))


def list_industries() -> list[Industry]:
    return list(db.session.scalars(select(Industry).order_by(Industry.sort_order, Industry.id)))


def list_edits(firm: Firm, limit: int = 100) -> list[FirmEdit]:
    stmt = (select(FirmEdit).where(FirmEdit.firm_id == firm.id).options(joinedload(FirmEdit.user))
            .order_by(FirmEdit.at.desc(), FirmEdit.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def count_services(firm: Firm) -> int:
    return db.session.scalar(select(func.count(ServiceRecord.id)).where(ServiceRecord.firm_id == firm.id))
