"""本年到期高企: the 高企 whose certificate expires this year (or has expired this year), each with its next
application batch of the expiry year: a 高企 cannot renew, it applies again in its expiry year or repays the
preferential tax it enjoyed (RULES.md §2). And the two compliance watches of a valid 高企: two annual reports
missed in a row (cancellation risk), and a change of name or key data to report within three months."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from pipeline.domain.compliance import (
    REPORTABLE_FIELDS,
    change_report_due,
    last_two_report_years,
    missed_twice,
)
from pipeline.domain.deadlines import RecertBatch, recert_batch
from pipeline.domain.periods import add_months
from pipeline.domain.stages import HOLDING, Stage
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.firms.models import Firm, FirmEdit, Town
from pipeline.funnel.models import FirmTrack, Track
from pipeline.i18n import to_local
from pipeline.reminders.models import AnnualReportFiling, HnteBatch

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
    deadline: RecertBatch | None  # the firm's own batch of its expiry year (None: no batch set for that year)


def batch_dates_of(year: int) -> list[date]:
    return list(db.session.scalars(select(HnteBatch.due_on).where(HnteBatch.year == year).order_by(HnteBatch.due_on)))


def list_expiring_this_year(today: date, town_ids: Collection[int] | None = None) -> list[ExpiringRow]:
    """高企 records whose certificate expires in today's year, soonest first, each with its own batch deadline: the
    batch it applied in, the next one it can still make, or the last one, missed (deadlines.recert_batch)."""
    stmt = (select(FirmTrack.firm_id, Firm.name, Town.name, FirmTrack.stage, FirmTrack.certificate_number,
                   FirmTrack.expires_on, FirmTrack.stage_entered_at)
            .join(Track, Track.id == FirmTrack.track_id).join(Firm, Firm.id == FirmTrack.firm_id)
            .join(Town, Town.id == Firm.town_id)
            .where(Track.code == "hnte", FirmTrack.stage.in_(RECERT_DUE_STAGES),
                   FirmTrack.expires_on.between(date(today.year, 1, 1), date(today.year, 12, 31)))
            .order_by(FirmTrack.expires_on, Firm.id))
    if town_ids is not None:
        stmt = stmt.where(Firm.town_id.in_(list(town_ids)))
    rows, batches = db.session.execute(stmt).all(), {}
    for row in rows:
        if row.expires_on.year not in batches:  # one year in this list; kept per expiry year all the same
            batches[row.expires_on.year] = batch_dates_of(row.expires_on.year)
    return [ExpiringRow(firm_id, name, town, stage, number or "", expires_on,
                        _firm_batch(batches[expires_on.year], stage, entered_at, today))
            for firm_id, name, town, stage, number, expires_on, entered_at in rows]


def _firm_batch(batches: list[date], stage: Stage, entered_at: datetime, today: date) -> RecertBatch | None:
    applied_on = to_local(entered_at).date() if stage is Stage.RECERT_APPLYING else None
    return recert_batch(batches, today, applied_on=applied_on, failed=stage in (Stage.RECERT_FAILED, Stage.FAILED))


@dataclass(frozen=True)
class ComplianceRow:
    firm_id: int
    name: str
    town: str
    detail: str  # the certificate number, or the change (field: old → new)
    day: date | None  # certified on, or changed on
    due: date | None = None  # the change must be reported by
    field: str = ""  # what changed (a msgid), for a change


FIELD_LABELS = {"name": N_("企业名称"), "credit_code": N_("统一社会信用代码"), "industry_id": N_("行业")}


def _valid_hnte(town_ids: Collection[int] | None, *columns):
    stmt = (select(FirmTrack.firm_id, Firm.name, Town.name, *columns)
            .join(Track, Track.id == FirmTrack.track_id).join(Firm, Firm.id == FirmTrack.firm_id)
            .join(Town, Town.id == Firm.town_id).where(Track.code == "hnte", FirmTrack.stage.in_(list(HOLDING))))
    return stmt.where(Firm.town_id.in_(list(town_ids))) if town_ids is not None else stmt


def list_cancellation_risks(today: date, town_ids: Collection[int] | None = None) -> list[ComplianceRow]:
    """Valid 高企 that missed the last two annual reports (due 31 May): two missed years cancel the status."""
    years = last_two_report_years(today)
    rows = db.session.execute(_valid_hnte(town_ids, FirmTrack.certified_on, FirmTrack.certificate_number)
                              .order_by(Firm.id)).all()
    filed: dict[int, set[int]] = {}
    for firm_id, year in db.session.execute(select(AnnualReportFiling.firm_id, AnnualReportFiling.year).where(
            AnnualReportFiling.year.in_(years), AnnualReportFiling.firm_id.in_([r[0] for r in rows]))):
        filed.setdefault(firm_id, set()).add(year)
    return [ComplianceRow(firm_id, name, town, number or "", certified_on)
            for firm_id, name, town, certified_on, number in rows
            if missed_twice(certified_on, filed.get(firm_id, set()), today)]


def list_changes_to_report(today: date, town_ids: Collection[int] | None = None) -> list[ComplianceRow]:
    """Changes of name or key data of valid 高企 in the last three months, each with the day it must be reported by."""
    since = datetime.combine(add_months(today, -3), time(0), tzinfo=UTC)
    stmt = (_valid_hnte(town_ids, FirmEdit.field, FirmEdit.old_value, FirmEdit.new_value, FirmEdit.at)
            .join(FirmEdit, FirmEdit.firm_id == Firm.id)
            .where(FirmEdit.field.in_(REPORTABLE_FIELDS), FirmEdit.at >= since).order_by(FirmEdit.at.desc()))
    rows = []
    for firm_id, name, town, field, old, new, at in db.session.execute(stmt):
        changed_on = to_local(at).date()
        rows.append(ComplianceRow(firm_id, name, town, f"{old} → {new}", changed_on, change_report_due(changed_on),
                                  FIELD_LABELS[field]))
    return [row for row in rows if row.due >= today]
