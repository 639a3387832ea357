"""Which firms an export covers and which tracks an import may name, scoped to the user."""

from __future__ import annotations

from flask import abort, request
from sqlalchemy import Select, exists, or_, select

from pipeline.auth.models import User
from pipeline.auth.permissions import visible_town_ids
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, Track


def importable_tracks() -> list[Track]:
    return list(db.session.scalars(select(Track).where(Track.active.is_(True)).order_by(Track.sort_order, Track.id)))


def track_or_404(code: str | None) -> Track:
    track = db.session.scalar(select(Track).where(Track.code == (code or ""), Track.active.is_(True)))
    if track is None:
        abort(404)
    return track


def export_scope(user: User) -> Select:
    """Ids of every firm the user may see."""
    stmt = select(Firm.id)
    towns = visible_town_ids(user)
    return stmt.where(Firm.town_id.in_(towns)) if towns is not None else stmt


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def firm_list_scope(user: User) -> Select:
    """Ids of the firms the firm list shows for the same query string (q, town, industry, track, stage, officer)."""
    stmt = export_scope(user)
    text = request.args.get("q", "").strip()[:100]
    if text:
        stmt = stmt.where(or_(Firm.name.contains(text, autoescape=True),
                              Firm.credit_code.contains(text.upper(), autoescape=True)))
    for column, name in ((Firm.town_id, "town"), (Firm.industry_id, "industry"), (Firm.officer_id, "officer")):
        if _int_arg(name):
            stmt = stmt.where(column == _int_arg(name))
    record = [FirmTrack.firm_id == Firm.id]
    if _int_arg("track"):
        record.append(FirmTrack.track_id == _int_arg("track"))
    stage = request.args.get("stage", "")
    if stage in set(Stage):
        record.append(FirmTrack.stage == Stage(stage))
    if len(record) > 1:
        stmt = stmt.where(exists(select(FirmTrack.id).where(*record)))
    return stmt
