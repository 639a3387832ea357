"""Which firms an export covers and which tracks an import may name, scoped to the user."""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, select

from pipeline.auth.models import User
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.firms.search import firm_ids
from pipeline.firms.views import filters_from_args
from pipeline.funnel.models import Track
from pipeline.funnel.queries import scope_to_user


def importable_tracks() -> list[Track]:
    return list(db.session.scalars(select(Track).where(Track.active.is_(True)).order_by(Track.sort_order, Track.id)))


def track_or_404(code: str | None) -> Track:
    track = db.session.scalar(select(Track).where(Track.code == (code or ""), Track.active.is_(True)))
    if track is None:
        abort(404)
    return track


def export_scope(user: User) -> Select:
    """Ids of every firm the user may see."""
    return scope_to_user(select(Firm.id), user)


def firm_list_scope(user: User) -> Select:
    """Ids of the firms the firm list shows for the same query string (every page, the list's own filters)."""
    filters, _page, _per_page = filters_from_args()
    return firm_ids(user, filters, now=utcnow())
