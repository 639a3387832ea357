"""Read-side queries of the reminders: stale records, a user's notifications, the annual-report state of a firm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from pipeline.auth.models import Role, User
from pipeline.domain.deadlines import annual_report_due
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, Track
from pipeline.funnel.queries import stale_clause, stale_thresholds, start_of_local_day
from pipeline.i18n import local_zone
from pipeline.reminders.models import AnnualReportFiling, ProgramYear, Reminder
from pipeline.tenancy.scope import NoCountyError, county_for_new_rows

HNTE, TECH_SME = "hnte", "tech_sme"
PAGE_SIZE = 50


@dataclass(frozen=True)
class StaleRecord:
    firm_track_id: int
    firm_id: int
    firm_name: str
    officer_id: int | None
    track_name: str
    stage: Stage
    last_activity_at: datetime
    stale_days: int
    days_quiet: int


def list_stale_records(today: date) -> list[StaleRecord]:
    """Records quiet for longer than their stage's stale_days, not paused, on active tracks (the funnel's rule)."""
    thresholds = stale_thresholds()
    if not thresholds:
        return []
    stale = stale_clause(start_of_local_day(today), thresholds)
    rows = db.session.execute(
        select(FirmTrack.id, Firm.id, Firm.name, Firm.officer_id, Track.name, FirmTrack.stage,
               FirmTrack.last_activity_at)
        .join(Firm, Firm.id == FirmTrack.firm_id).join(Track, Track.id == FirmTrack.track_id)
        .where(stale, Track.active.is_(True), FirmTrack.stage != Stage.PAUSED,
               or_(FirmTrack.paused_until.is_(None), FirmTrack.paused_until < today))
        .order_by(Firm.officer_id, FirmTrack.last_activity_at, FirmTrack.id))
    zone = local_zone()
    return [StaleRecord(ft_id, firm_id, name, officer_id, track, stage, last, thresholds[stage],
                        (today - last.astimezone(zone).date()).days)
            for ft_id, firm_id, name, officer_id, track, stage, last in rows]


def track_records(track_code: str, *stages: Stage):
    """select() of FirmTrack on one track (by code), optionally in some stages, with the firm loaded."""
    stmt = select(FirmTrack).join(Track, Track.id == FirmTrack.track_id).where(Track.code == track_code)
    return stmt.where(FirmTrack.stage.in_(stages)) if stages else stmt


def settings_county() -> int:
    """The county whose settings (reminder rules, calendar, seal) the work at hand reads and writes: the scope's
    one county (a county's user, a county's run of a job), or the installation's only county. NoCountyError for a
    scope of several counties."""
    return county_for_new_rows()


def settings_county_gate() -> None:
    """before_request of a county settings page: a city or province user has no county settings of their own."""
    try:
        settings_county()
    except NoCountyError:
        abort(403)


def get_program_year(year: int) -> ProgramYear | None:
    return db.session.get(ProgramYear, (year, settings_county()))


def list_program_years() -> list[ProgramYear]:
    return list(db.session.scalars(select(ProgramYear).where(ProgramYear.county_id == settings_county())
                                   .order_by(ProgramYear.year.desc())))


# Notifications ---------------------------------------------------------------------------------------------------

def addressed_to(user: User):
    """Firm users see their firm's reminders (never another firm's); staff see those addressed to them."""
    if user.role is Role.FIRM:
        return Reminder.recipient_firm_id == user.firm_id
    return Reminder.recipient_user_id == user.id


def list_reminders(user: User, page: int = 1) -> tuple[list[Reminder], bool]:
    """One page of the user's reminders, unread first, newest first; and whether there is a next page."""
    rows = list(db.session.scalars(
        select(Reminder).where(addressed_to(user)).options(selectinload(Reminder.firm))
        .order_by(Reminder.read_at.is_not(None), Reminder.created_at.desc(), Reminder.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def count_unread_reminders(user: User) -> int:
    if not user.is_authenticated or (user.role is Role.FIRM and user.firm_id is None):
        return 0
    return db.session.scalar(select(func.count(Reminder.id)).where(addressed_to(user), Reminder.read_at.is_(None)))


def get_reminder_or_404(reminder_id: int, for_user: User) -> Reminder:
    reminder = db.session.scalar(select(Reminder).where(Reminder.id == reminder_id, addressed_to(for_user)))
    if reminder is None:
        abort(404)
    return reminder


# Annual report (rule 2) ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnnualReportState:
    year: int  # the report filed this year (it covers year − 1)
    due_on: date
    applies: bool  # a 高企 certified before this year: it must file
    filing: AnnualReportFiling | None


def annual_report_state(firm_id: int, today: date) -> AnnualReportState:
    """Whether the firm owes this year's 高企 annual development report, and whether it was marked filed."""
    record = db.session.scalar(track_records(HNTE, Stage.CERTIFIED).where(FirmTrack.firm_id == firm_id))
    applies = record is not None and (record.certified_on is None or record.certified_on.year < today.year)
    filing = db.session.scalar(select(AnnualReportFiling).where(
        AnnualReportFiling.firm_id == firm_id, AnnualReportFiling.year == today.year))
    return AnnualReportState(today.year, annual_report_due(today.year), applies, filing)
