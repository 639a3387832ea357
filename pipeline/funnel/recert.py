"""本年到期高企: the 高企 whose certificate expires this year (or has expired this year), each with its next
application batch of the expiry year: a 高企 cannot renew, it applies again in its expiry year or repays the
preferential tax it enjoyed (RULES.md §2)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from pipeline.domain.stages import HOLDING, Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import FirmTrack, Track
from pipeline.reminders.models import HnteBatch

# Who still has to apply in the expiry year: certified (also while 重新认定未通过), expired, or failed.
RECERT_DUE_STAGES = (*HOLDING, Stage.EXPIRED, Stage.FAILED)


@dataclass(frozen=True)
class ExpiringRow:
    firm_id: int
    name: str
    town: str
    stage: Stage
    certificate_number: str
    expires_on: date
    deadline: date | None  # the next batch of the expiry year still open today; None: this year's batches closed


def next_batch(batches: list[date], today: date) -> date | None:
    """The first batch deadline on or after today (batches of one year, any order)."""
    return min((d for d in batches if d >= today), default=None)


def batch_dates_of(year: int) -> list[date]:
    return list(db.session.scalars(select(HnteBatch.due_on).where(HnteBatch.year == year).order_by(HnteBatch.due_on)))


def list_expiring_this_year(today: date, town_ids: Collection[int] | None = None) -> list[ExpiringRow]:
    """高企 records whose certificate expires in today's year, soonest first, with each one's batch deadline."""
    stmt = (select(FirmTrack.firm_id, Firm.name, Town.name, FirmTrack.stage, FirmTrack.certificate_number,
                   FirmTrack.expires_on)
            .join(Track, Track.id == FirmTrack.track_id).join(Firm, Firm.id == FirmTrack.firm_id)
            .join(Town, Town.id == Firm.town_id)
            .where(Track.code == "hnte", FirmTrack.stage.in_(RECERT_DUE_STAGES),
                   FirmTrack.expires_on.between(date(today.year, 1, 1), date(today.year, 12, 31)))
            .order_by(FirmTrack.expires_on, Firm.id))
    if town_ids is not None:
        stmt = stmt.where(Firm.town_id.in_(list(town_ids)))
    deadline = next_batch(batch_dates_of(today.year), today)
    return [ExpiringRow(firm_id, name, town, stage, number or "", expires_on, deadline)
            for firm_id, name, town, stage, number, expires_on in db.session.execute(stmt)]
