"""Turn due reminders into stored reminders plus outbox mail, and the small changes the reminder pages make.

Services flush, never commit: the CLI, the job or the view commits once."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from pipeline.auth.models import User
from pipeline.channels.services import queue_reminder_channels, queue_town_digests, wants
from pipeline.db import insert_or_ignore, utcnow
from pipeline.domain.channels import Channel
from pipeline.domain.reminders import PLACEHOLDERS, RuleCode, fill_template, template_errors
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.i18n import translate_msg
from pipeline.mail.compose import external_url
from pipeline.mail.outbox import queue_template_email
from pipeline.reminders.models import AnnualReportFiling, HnteBatch, ProgramYear, Reminder, ReminderRule
from pipeline.reminders.queries import addressed_to, settings_county
from pipeline.reminders.rules import FINDERS, Due

log = logging.getLogger(__name__)


class ReminderError(Exception):
    """A change the user asked for that the rules refuse; the message is shown as it is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def send_due_reminders(today: date, *, now: datetime | None = None) -> Counter:
    """Evaluate every enabled rule of the scope's county for `today`: store each new reminder once and queue its
    mail; count them."""
    now = now or utcnow()
    catch_up = current_app.config["REMINDER_CATCH_UP_DAYS"]
    created: Counter = Counter()
    reminders = []
    county = settings_county()
    for rule in db.session.scalars(select(ReminderRule).where(ReminderRule.county_id == county,
                                                              ReminderRule.enabled.is_(True))):
        finder = FINDERS.get(RuleCode(rule.code)) if rule.code in RuleCode._value2member_map_ else None
        if finder is None:
            log.warning("unknown reminder rule %s", rule.code)
            continue
        for due in finder(today, catch_up):
            if (reminder := record_reminder(rule, due, now)) is not None:
                created[rule.code] += 1
                reminders.append(reminder)
    _link_emails(reminders)
    queue_town_digests(reminders, today, now)  # each town's staff group robot, in the same transaction
    return created


def _link_emails(reminders: list[RecordedReminder]) -> None:
    """Each stored reminder's email id, in one executemany UPDATE by primary key (a day has up to ~160,000)."""
    links = [dict(id=r.id, outbox_message_id=r.outbox_message_id) for r in reminders if r.outbox_message_id]
    if links:
        db.session.execute(update(Reminder), links)


def _fill(template: str, due: Due) -> str:
    if template_errors(template, PLACEHOLDERS[due.rule]):  # edited outside the admin page: send it unfilled
        log.warning("reminder rule %s has an invalid template", due.rule)
        return template
    return fill_template(template, due.values)


@dataclass(frozen=True)
class RecordedReminder:
    """A reminder just stored, as the channels and the town digests need it (no ORM object is loaded back)."""

    id: int
    rule_code: str
    title: str
    body: str
    items: list[str]
    firm: Firm | None
    outbox_message_id: int | None = None  # its email, linked to the stored row in one statement per run

    @property
    def firm_id(self) -> int | None:
        return self.firm.id if self.firm else None


def record_reminder(rule: ReminderRule, due: Due, now: datetime) -> RecordedReminder | None:
    """Store the reminder unless it exists (unique rule/target/due date) and queue its mail; None if it existed.
    The caller links the email to the stored row (send_due_reminders: _link_emails, once for the day)."""
    title, body = _fill(rule.subject_template, due), _fill(rule.body_template, due)
    reminder_id = insert_or_ignore(db.session, Reminder, dict(
        county_id=rule.county_id, rule_code=rule.code, target=due.target, due_on=due.due_on, firm_id=due.firm.id if due.firm else None,
        recipient_firm_id=due.firm.id if due.to_firm else None,
        recipient_user_id=None if due.to_firm else due.officer.id,
        title=title, body=body, items=list(due.items), created_at=now))
    if reminder_id is None:
        return None
    message_id = None
    recipients = _recipients(due)
    if recipients:
        greeting = due.firm.name if due.to_firm else due.officer.label
        link = external_url("reminders_portal.index" if due.to_firm else "reminders.index")
        message_id = queue_template_email("reminder", recipients, dedup_key=f"reminder:{reminder_id}", now=now,
                                          context=dict(greeting=greeting, title=title, body=body,
                                                       items=list(due.items), link=link)).id
    reminder = RecordedReminder(reminder_id, rule.code, title, body, list(due.items), due.firm, message_id)
    queue_reminder_channels(reminder, due.firm if due.to_firm else None, None if due.to_firm else due.officer,
                            due.values, now)
    return reminder


def _recipients(due: Due) -> list[tuple[str, str]]:
    """The firm's contact (else its users' addresses), or the officer; empty means in-app only. A user who chose
    not to get this kind of notice by email (pipeline/channels/) is left out."""
    if not due.to_firm:
        officer = due.officer
        return [(officer.label, officer.email)] if officer.email and wants(officer, due.rule, Channel.EMAIL) else []
    firm = due.firm
    if firm.contact_email:
        return [(firm.contact_name or firm.name, firm.contact_email)]
    users = db.session.scalars(select(User).where(User.firm_id == firm.id, User.active.is_(True), User.email != ""))
    return [(user.label, user.email) for user in users if wants(user, due.rule, Channel.EMAIL)]


def update_rule(rule: ReminderRule, *, enabled: bool, subject: str, body: str, actor: User, now: datetime) -> None:
    """Change a rule's switch and texts; refuse a {placeholder} the rule does not offer."""
    allowed = PLACEHOLDERS[RuleCode(rule.code)]
    for field_name, text in (("subject", subject), ("body", body)):
        errors = template_errors(text, allowed)
        if errors:
            raise ReminderError(translate_msg(errors[0]), field_name)
    rule.enabled, rule.subject_template, rule.body_template = enabled, " ".join(subject.split()), body.strip()
    rule.updated_at, rule.updated_by_id = now, actor.id
    db.session.flush()


def set_rule_enabled(rule: ReminderRule, enabled: bool, *, actor: User, now: datetime) -> None:
    rule.enabled, rule.updated_at, rule.updated_by_id = enabled, now, actor.id
    db.session.flush()


def save_program_year(year: int, *, opens_on: date | None, closes_on: date | None,
                      batch_dates: list[date]) -> ProgramYear:
    """Set a year's 科小 window and 高企 batch dates (every date inside that year) in the scope's county."""
    dates = [d for d in (opens_on, closes_on, *batch_dates) if d is not None]
    if any(d.year != year for d in dates):
        raise ReminderError(_("日期必须在 %(year)s 年内。", year=year))
    if closes_on is not None and opens_on is None:
        raise ReminderError(_("请先填写评价开始日期。"), "tech_sme_opens_on")
    if opens_on and closes_on and closes_on < opens_on:
        raise ReminderError(_("截止日期不能早于开始日期。"), "tech_sme_closes_on")
    county = settings_county()
    program_year = db.session.get(ProgramYear, (year, county)) or ProgramYear(year=year, county_id=county)
    db.session.add(program_year)
    program_year.tech_sme_opens_on, program_year.tech_sme_closes_on = opens_on, closes_on
    wanted = set(batch_dates)
    for batch in [b for b in program_year.hnte_batches if b.due_on not in wanted]:
        program_year.hnte_batches.remove(batch)
    db.session.flush()  # deletes first: a date may move to another row of the unique index
    kept = {b.due_on for b in program_year.hnte_batches}
    program_year.hnte_batches.extend(HnteBatch(due_on=d) for d in sorted(wanted - kept))
    db.session.flush()
    return program_year


def mark_annual_report(firm: Firm, year: int, filed: bool, *, actor: User, today: date, now: datetime) -> None:
    """Mark the firm's annual development report of `year` as filed (or take the mark back)."""
    if year not in (today.year, today.year - 1):
        raise ReminderError(_("只能标记今年或去年的年度报表。"))
    filing = db.session.scalar(select(AnnualReportFiling).where(
        AnnualReportFiling.firm_id == firm.id, AnnualReportFiling.year == year))
    if filed and filing is None:
        db.session.add(AnnualReportFiling(firm_id=firm.id, year=year, marked_at=now, marked_by_id=actor.id))
    elif not filed and filing is not None:
        db.session.delete(filing)
    db.session.flush()


def mark_reminders_read(user: User, now: datetime, reminder_ids: list[int] | None = None) -> int:
    """Mark the user's (or the user's firm's) unread reminders as read; all of them without ids."""
    stmt = update(Reminder).where(addressed_to(user), Reminder.read_at.is_(None)).values(read_at=now)
    if reminder_ids is not None:
        stmt = stmt.where(Reminder.id.in_(reminder_ids))
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount
