"""Entering, submitting and confirming a firm's figures, and evaluating firms from the confirmed ones.

Two versions are kept per fiscal year and for the per-firm facts: the official one (source 'official', what the
engine reads) and the firm's own submission (source 'firm', 待核实 until an officer confirms it, which copies it into
the official version). Services flush, never commit.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.i18n import to_local
from pipeline.indicators.assessment import (  # noqa: F401  (the public evaluation API lives here too)
    FirmAssessment,
    assess_firms,
    build_profile,
    evaluate_firm,
)
from pipeline.indicators.models import FirmFacts, FirmYear, Origin, Source, Status
from pipeline.indicators.tiers import ApplicationDates
from pipeline.indicators.values import FIRM_FACTS, MIN_FISCAL_YEAR, YEAR_FIELDS, check_facts, check_year
from pipeline.signals import figures_changed


class FiguresError(ValueError):
    """Figures that cannot be saved; `errors` maps field names to Chinese messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


def check_fiscal_year(fiscal_year: int, today: date) -> None:
    """Refuse a fiscal year before 1990 or after the current year."""
    if not MIN_FISCAL_YEAR <= fiscal_year <= today.year:
        raise FiguresError({"fiscal_year": _("年度应在 %(low)s–%(high)s 之间。", low=MIN_FISCAL_YEAR, high=today.year)})


def _year_row(firm_id: int, fiscal_year: int, source: Source) -> FirmYear | None:
    return db.session.scalar(select(FirmYear).where(
        FirmYear.firm_id == firm_id, FirmYear.fiscal_year == fiscal_year, FirmYear.source == source.value))


def _facts_row(firm_id: int, source: Source) -> FirmFacts | None:
    return db.session.scalar(select(FirmFacts).where(FirmFacts.firm_id == firm_id, FirmFacts.source == source.value))


def _write_year(firm: Firm, fiscal_year: int, values: dict, source: Source, now: datetime) -> FirmYear:
    """Check a year's figures and put them into the row of that year and version (created when missing)."""
    check_fiscal_year(fiscal_year, to_local(now).date())
    checked = check_year(values)
    if checked.errors:
        raise FiguresError(checked.errors)
    row = _year_row(firm.id, fiscal_year, source)
    if row is None:
        row = FirmYear(firm_id=firm.id, fiscal_year=fiscal_year, source=source.value)
        db.session.add(row)
    for name in YEAR_FIELDS:
        setattr(row, name, checked.values[name])
    return row


def save_year(firm: Firm, fiscal_year: int, values: dict, *, actor: User | None, now: datetime,
              origin: Origin = Origin.OFFICER) -> FirmYear:
    """Set the official figures of one fiscal year (create or replace) and return the row."""
    row = _write_year(firm, fiscal_year, values, Source.OFFICIAL, now)
    row.status, row.origin, row.updated_by, row.updated_at = Status.CONFIRMED.value, origin.value, actor, now
    db.session.flush()
    figures_changed.send(firm, actor=actor, now=now)
    return row


def save_facts(firm: Firm, values: dict, *, actor: User | None, now: datetime,
               origin: Origin = Origin.OFFICER) -> FirmFacts:
    """Set the official per-firm facts given in values (the others stay) and return the row."""
    checked = check_facts(values)
    if checked.errors:
        raise FiguresError(checked.errors)
    row = _facts_row(firm.id, Source.OFFICIAL) or _new_facts(firm, Source.OFFICIAL)
    for name, value in checked.values.items():
        setattr(row, name, value)
    row.status, row.origin, row.updated_by, row.updated_at = Status.CONFIRMED.value, origin.value, actor, now
    db.session.flush()
    figures_changed.send(firm, actor=actor, now=now)
    return row


def _new_facts(firm: Firm, source: Source) -> FirmFacts:
    row = FirmFacts(firm_id=firm.id, source=source.value, ip_class_i=0, ip_class_ii=0, ip_acquired_only=False,
                    conversions_3y=None, valid_hnte=False, national_award_top3=False, provincial_rd_institution=False,
                    led_standard=False, restricted_industry=False, major_incident=False, dishonest_list=False,
                    deemed_taxation=False, excluded_industry=False)
    db.session.add(row)
    return row


def submit_year(firm: Firm, fiscal_year: int, values: dict, *, actor: User, now: datetime) -> FirmYear:
    """Record the firm's own figures for a year as 待核实 (replacing an earlier submission of that year)."""
    row = _write_year(firm, fiscal_year, values, Source.FIRM, now)
    _mark_submitted(row, actor, now)
    db.session.flush()
    return row


def submit_facts(firm: Firm, values: dict, *, actor: User, now: datetime) -> FirmFacts:
    """Record the firm's own facts (IP, domain, conversions, direct routes) as 待核实."""
    checked = check_facts(values, FIRM_FACTS)
    if checked.errors:
        raise FiguresError(checked.errors)
    row = _facts_row(firm.id, Source.FIRM) or _new_facts(firm, Source.FIRM)
    for name, value in checked.values.items():
        setattr(row, name, value)
    _mark_submitted(row, actor, now)
    db.session.flush()
    return row


def _mark_submitted(row, actor: User, now: datetime) -> None:
    row.status, row.origin, row.updated_by, row.updated_at = Status.PENDING.value, Origin.FIRM.value, actor, now
    row.reviewed_by, row.reviewed_at, row.review_note = None, None, ""


def confirm_submission(submission: FirmYear | FirmFacts, *, actor: User, now: datetime) -> FirmYear | FirmFacts:
    """Accept a pending firm submission: copy it into the official version; both versions stay."""
    _check_pending(submission)
    firm = db.session.get(Firm, submission.firm_id)
    if isinstance(submission, FirmYear):
        values = {name: getattr(submission, name) for name in YEAR_FIELDS}
        official = save_year(firm, submission.fiscal_year, values, actor=actor, now=now, origin=Origin.FIRM)
    else:
        values = {name: getattr(submission, name) for name in FIRM_FACTS}
        official = save_facts(firm, values, actor=actor, now=now, origin=Origin.FIRM)
    submission.status, submission.reviewed_by, submission.reviewed_at = Status.CONFIRMED.value, actor, now
    db.session.flush()
    return official


def reject_submission(submission: FirmYear | FirmFacts, *, actor: User, now: datetime, note: str = "") -> None:
    """Send a pending firm submission back with a note; the official version is unchanged."""
    _check_pending(submission)
    submission.status, submission.reviewed_by, submission.reviewed_at = Status.REJECTED.value, actor, now
    submission.review_note = (note or "").strip()
    db.session.flush()


def _check_pending(submission) -> None:
    if submission.source != Source.FIRM.value or submission.status != Status.PENDING.value:
        raise FiguresError({"status": _("该填报已处理，无需重复操作。")})


def hnte_verdict_map(firm_ids: list[int], today: date) -> dict[int, str]:
    """The 高企 verdict ('pass' | 'possible' | 'undetermined' | 'fail') of each firm that can be evaluated (reminder rule 6).

    A verdict on the year before last (last year's figures missing) counts too: a reminder to prepare is cheap."""
    return {firm_id: a.evaluation.hnte.verdict for firm_id, a in assess_firms(firm_ids, today).items() if a.ok}


def application_dates(today: date) -> ApplicationDates:
    """This year's 高企 application batches from the admin's calendar (今年能否申报 is judged on the next one)."""
    from pipeline.reminders.models import HnteBatch  # reminders imports this module's verdicts

    batches = db.session.scalars(select(HnteBatch.due_on).where(HnteBatch.year == today.year)
                                 .order_by(HnteBatch.due_on))
    return ApplicationDates(today, tuple(batches))
