"""Read-side queries of a firm's figures, always scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import and_, literal, select
from sqlalchemy.orm import joinedload

from pipeline.auth.models import User
from pipeline.auth.permissions import visible_town_ids
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.i18n import local_today
from pipeline.indicators.models import FirmFacts, FirmYear, Source, Status
from pipeline.indicators.values import MIN_FISCAL_YEAR


@dataclass
class FirmFigures:
    """Everything a firm's figures page shows: both versions of each year and of the facts."""

    official_years: dict[int, FirmYear] = field(default_factory=dict)
    firm_years: dict[int, FirmYear] = field(default_factory=dict)
    official_facts: FirmFacts | None = None
    firm_facts: FirmFacts | None = None

    @property
    def years(self) -> list[int]:
        return sorted(set(self.official_years) | set(self.firm_years), reverse=True)

    @property
    def pending(self) -> list:
        rows = [*self.firm_years.values(), self.firm_facts]
        return [row for row in rows if row is not None and row.status == Status.PENDING.value]


def load_figures(firm_id: int) -> FirmFigures:
    """Both versions of every year and of the facts of one firm (two queries)."""
    figures = FirmFigures()
    years = db.session.scalars(select(FirmYear).where(FirmYear.firm_id == firm_id)
                               .options(joinedload(FirmYear.updated_by), joinedload(FirmYear.reviewed_by)))
    for row in years:
        target = figures.official_years if row.source == Source.OFFICIAL.value else figures.firm_years
        target[row.fiscal_year] = row
    for row in db.session.scalars(select(FirmFacts).where(FirmFacts.firm_id == firm_id)):
        if row.source == Source.OFFICIAL.value:
            figures.official_facts = row
        else:
            figures.firm_facts = row
    return figures


def check_year_or_404(fiscal_year: int | None) -> None:
    """A fiscal year in a URL must be one the forms accept (1990 to this year); anything else is 404."""
    if fiscal_year is not None and not MIN_FISCAL_YEAR <= fiscal_year <= local_today().year:
        abort(404)


def get_submission_or_404(firm: Firm, fiscal_year: int | None) -> FirmYear | FirmFacts:
    """A firm's own submission of a year (or of its facts when fiscal_year is None)."""
    if fiscal_year is None:
        stmt = select(FirmFacts).where(FirmFacts.firm_id == firm.id, FirmFacts.source == Source.FIRM.value)
    else:
        stmt = select(FirmYear).where(FirmYear.firm_id == firm.id, FirmYear.fiscal_year == fiscal_year,
                                      FirmYear.source == Source.FIRM.value)
    row = db.session.scalar(stmt)
    if row is None:
        abort(404)
    return row


def pending(model):
    """SQL condition on FirmYear or FirmFacts: a firm's submission waiting for an officer. The values are written into
    the statement (literal_execute), so that SQLite reads the partial index of the waiting ones (models.PENDING): it
    cannot prove that a bound parameter matches the index's condition."""
    return and_(model.source == literal(Source.FIRM.value, literal_execute=True),
                model.status == literal(Status.PENDING.value, literal_execute=True))


def list_pending(for_user: User, limit: int = 500) -> list[tuple[Firm, FirmYear | FirmFacts]]:
    """Firm submissions waiting for an officer, oldest first, in the towns the user may see."""
    found = []
    for model in (FirmYear, FirmFacts):
        stmt = select(Firm, model).join(model, model.firm_id == Firm.id).where(pending(model))
        towns = visible_town_ids(for_user)
        if towns is not None:
            stmt = stmt.where(Firm.town_id.in_(towns))
        found.extend(db.session.execute(stmt.order_by(model.updated_at).limit(limit)).all())
    return sorted(found, key=lambda pair: pair[1].updated_at)[:limit]
