"""Builders for the reminder tests: firms on tracks, and running the daily job for a range of days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from pipeline.funnel.models import FirmTrack, Track
from pipeline.mail.sender import send_queued_emails
from pipeline.reminders.models import ReminderRule
from pipeline.reminders.services import send_due_reminders


def noon(day: date) -> datetime:
    """08:00 in Asia/Shanghai: the daily run's time, as UTC."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def days(first: date, last: date):
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.fixture
def put_on_track(db):
    def put(firm, code, stage, **kw):
        track = db.session.scalar(select(Track).where(Track.code == code))
        record = FirmTrack(firm=firm, track=track, stage=stage, **kw)
        db.session.add(record)
        db.session.flush()
        return record

    return put


@pytest.fixture
def only_rule(db):
    """Switch every rule off but one, so that a test over many days sees that rule's mail only."""

    def switch(code):
        for rule in db.session.scalars(select(ReminderRule)):
            rule.enabled = rule.code == code

    return switch


@pytest.fixture
def officer(make_user):
    return make_user("officer", display_name="王科员", email="wang@kjj.example.com")


@pytest.fixture
def run_days(app, db, smtp_server):
    """Run the reminder job and then the sender for each day, as the scheduler would; return {day: messages}."""

    def run(day_list):
        db.session.commit()
        received = {}
        for day in day_list:
            before = len(smtp_server.envelopes)
            with app.app_context():
                created = send_due_reminders(day, now=noon(day))
                db.session.commit()
                if created:  # nothing new, nothing to send: skip the sender to keep day-by-day runs quick
                    send_queued_emails(noon(day))
            messages = smtp_server.messages[before:]
            if messages:
                received[day] = messages
        db.session.expire_all()
        return received

    return run
