"""The firm list: search and filters over firms and their records, one page at a time, a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, select

from pipeline.auth.models import User
from pipeline.dashboard.links import filter_firms_by_history
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack
from pipeline.funnel.queries import firms_with_records, scope_to_user, stale_clause, stale_thresholds
from pipeline.i18n import local_zone, to_local

# Sort keys of the firm list: every one is served by an index, and ends with the id so that pages are stable.
SORTS = {
    "name": (Firm.name, Firm.id),
    "-name": (Firm.name.desc(), Firm.id.desc()),
    "code": (Firm.credit_code,),
    "town": (Firm.town_id, Firm.name, Firm.id),
    "newest": (Firm.id.desc(),),
    "oldest": (Firm.id,),
}
PAGE_SIZES = (20, 50, 100)


@dataclass(frozen=True)
class FirmFilters:
    q: str = ""
    town_id: int | None = None
    industry_id: int | None = None
    track_id: int | None = None
    stage: Stage | None = None
    officer_id: int | None = None
    stale: bool = False
    paused: bool = False
    sort: str = "name"
    # The dashboard's history filters (entered/left a stage in a period, stage at a day, expiring by a day), as
    # (name, value) pairs with the track's code; see pipeline/dashboard/links.py.
    history: tuple[tuple[str, str], ...] = ()


@dataclass
class Page:
    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 50

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(stmt, filters: FirmFilters, now: datetime):
    if filters.q:
        text = filters.q.strip()
        stmt = stmt.where(or_(Firm.name.contains(text, autoescape=True),
                              Firm.credit_code.contains(text.upper(), autoescape=True)))
    for column, value in ((Firm.town_id, filters.town_id), (Firm.industry_id, filters.industry_id),
                          (Firm.officer_id, filters.officer_id)):
        if value:
            stmt = stmt.where(column == value)
    record = [FirmTrack.firm_id == Firm.id]
    if filters.track_id:
        record.append(FirmTrack.track_id == filters.track_id)
    if filters.stage:
        record.append(FirmTrack.stage == filters.stage)
    if filters.paused:
        record.append(FirmTrack.stage == Stage.PAUSED)
    if filters.stale:
        record.append(stale_clause(now, stale_thresholds()))
    if len(record) > 1:
        stmt = stmt.where(exists(select(FirmTrack.id).where(*record)))
    if filters.history:
        stmt = filter_firms_by_history(stmt, dict(filters.history), zone=local_zone(), today=to_local(now).date())
    return stmt


def firm_ids(for_user: User, filters: FirmFilters, *, now: datetime):
    """SELECT of the ids of every firm the list shows for these filters (all pages): exports use it."""
    return _filtered(scope_to_user(select(Firm.id), for_user), filters, now)


def list_firms_page(for_user: User, filters: FirmFilters = FirmFilters(), *, now: datetime, page: int = 1,
                    per_page: int = 50) -> Page:
    """One page of the firm list: a count and one page query (plus one for the pages' track records)."""
    where = _filtered(scope_to_user(select(Firm.id), for_user), filters, now)
    total = db.session.scalar(select(func.count()).select_from(where.subquery()))
    page = max(1, min(page, max(1, -(-total // per_page))))
    stmt = _filtered(scope_to_user(select(Firm), for_user), filters, now)
    stmt = firms_with_records(stmt.order_by(*SORTS.get(filters.sort, SORTS["name"])))
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, total=total, page=page, per_page=per_page)


