"""A reminder day at 100,000 firms fanned out on every channel: the run's time and statements, then the send.

`python bench/bench_channels.py [--backend sqlite|postgresql] [--firms 100000] [--day 2027-05-01] [--send 1000]`

On a copy of the county (the run writes), channels are set up as a busy county would: SMS, the DingTalk robots of
two towns and of the county (全县), a WeCom robot of the county, and DingTalk work notifications, all switched on
and pointing at the providers' stand-ins on 127.0.0.1 (tests/provider_servers.py), email at an aiosmtpd server.
Every firm's contact gave a mobile number and the admin's default sends firms their reminders by SMS as well as
email; both officers gave their mobile numbers and chose DingTalk work notifications next to email. Then
`send_due_reminders` runs for a day (what `flask reminders run --today` does) and commits: first an ordinary day
(7 December 2026, what the county's calendar makes due: ~1,900 reminders), then the busiest day a county can have
(1 May 2027: the 高企 annual report's reminder to every certified firm, plus — set up for the run — the opening
of the 科小 window and a 高企 batch 30 days ahead: ~160,000 reminders, each with its email and its SMS).

Goals:
- an ordinary day ≤ 60 s at 100,000 firms.
- the busiest day ≤ 300 s: the job runs at 07:30 (pipeline/scheduler.py) in one transaction; 5 minutes leaves it
  done before the office opens and room for a rerun. Every reminder renders its email (text and HTML) and writes
  its rows, ~1 ms of CPU on this machine; 60 s for 160,000 reminders would need the email rendered when it is sent,
  not when it is queued (not done: see bench/README.md).
- statements per reminder ≤ 6 at 100,000 firms and not above the small county's (1,000 firms, the same day): each
  reminder is its row, its email and its channel messages, a few INSERTs each; what is looked up per recipient
  (mobile numbers, firms' users, SMS templates, choices) is read once per run.
- the send: the first --send queued messages of each outbox go out through the stand-ins, each sent or, for SMS to
  a number that already got one this minute, deferred by the app's per-number limit; at least 20 messages a second
  (Alibaba SMS and the robots allow far fewer a minute per number or robot: the sender is never the bottleneck).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    Goals,
    add_backend_argument,
    add_rebuild_argument,
    counted_statements,
    county_copy_app,
    drop_county_copy,
    python_loop_ms,
)

RUN_GOAL_S = 60  # an ordinary day
BUSY_GOAL_S = 300  # the busiest day of the year
STATEMENTS_GOAL = 6
SEND_FLOOR = 20  # messages a second per channel
SUFFIX = "h5ch"
DAY = date(2027, 5, 1)  # the annual report's reminder; busy_day() adds the 科小 window and a 高企 batch
NOW = datetime(2027, 5, 1, 1, 0, tzinfo=UTC)
ORDINARY_DAY = date(2026, 12, 7)  # what the county's calendar makes due today
OFFICER_MOBILES = {"officer": "13800001111", "officer2": "13800002222"}


def start_providers():
    from tests.provider_servers import (
        AliyunSmsServer,
        DingTalkApiServer,
        DingTalkRobotServer,
        WeComRobotServer,
    )
    from tests.smtp import SmtpServer

    robots = {"ding-nanming": "SEC" + "1" * 32, "ding-yulin": "SEC" + "2" * 32, "ding-county": "SEC" + "3" * 32}
    clock = lambda: NOW  # noqa: E731 (the stand-ins check signed timestamps against the sender's now)
    staff = {mobile: f"staff{mobile[-4:]}" for mobile in OFFICER_MOBILES.values()}
    servers = dict(sms=AliyunSmsServer(clock=clock), dingtalk=DingTalkRobotServer(robots, clock=clock),
                   wecom=WeComRobotServer({"wecom-key"}, clock=clock),
                   dingtalk_work=DingTalkApiServer("appkey", "appsecret", 1, staff, clock=clock), email=SmtpServer())
    for server in servers.values():
        server.start()
    return servers, robots


def configure(app, servers, robots) -> None:
    """The settings, switches, SMS templates, defaults, mobile numbers and choices of a busy county."""
    from sqlalchemy import select, text, update

    from pipeline.auth.models import User
    from pipeline.channels.models import ChannelSwitch, NoticeChoice, NoticeDefault, SmsTemplate, UserMobile
    from pipeline.domain.channels import KIND_PLACEHOLDERS, STAFF_ONLY_KINDS
    from pipeline.extensions import db
    from pipeline.firms.models import Firm
    from tests.provider_servers import AK_ID, AK_SECRET, SIGN_NAME

    names = iter(robots.items())
    ding = {town: {"access_token": token, "secret": secret} for town, (token, secret) in
            zip(("南明街道", "羽林街道", "全县"), names, strict=True)}
    app.config.update(
        CHANNEL_TIMEOUT=5.0, SMS_ENDPOINT=servers["sms"].url, SMS_ACCESS_KEY_ID=AK_ID, SMS_ACCESS_KEY_SECRET=AK_SECRET,
        SMS_SIGN_NAME=SIGN_NAME, DINGTALK_ROBOT_URL=servers["dingtalk"].url + "/robot/send",
        DINGTALK_ROBOTS=json.dumps(ding), WECOM_ROBOT_URL=servers["wecom"].url + "/cgi-bin/webhook/send",
        WECOM_ROBOTS=json.dumps({"全县": "wecom-key"}), DINGTALK_API_URL=servers["dingtalk_work"].url,
        DINGTALK_APP_KEY="appkey", DINGTALK_APP_SECRET="appsecret", DINGTALK_AGENT_ID="1",
        MAIL_SERVER="127.0.0.1", MAIL_PORT=servers["email"].port, MAIL_TIMEOUT=5.0, MAIL_USE_TLS=False,
        MAIL_USE_SSL=False, MAIL_USERNAME="", MAIL_PASSWORD="")
    with app.app_context():
        for channel in ("sms", "dingtalk", "wecom", "dingtalk_work"):
            db.session.merge(ChannelSwitch(channel=channel, enabled=True))
        for kind, names in KIND_PLACEHOLDERS.items():
            if "企业名称" in names:
                db.session.merge(SmsTemplate(kind=kind, template_code="SMS_480002", params="name={企业名称}"))
            if kind not in STAFF_ONLY_KINDS:
                db.session.merge(NoticeDefault(kind=kind, channel="sms", enabled=True))
        for username, mobile in OFFICER_MOBILES.items():
            user_id = db.session.scalar(select(User.id).where(User.username == username))
            db.session.merge(UserMobile(user_id=user_id, mobile=mobile))
            for kind in KIND_PLACEHOLDERS:
                db.session.merge(NoticeChoice(user_id=user_id, kind=kind, channel="dingtalk_work", enabled=True))
        mobile = (text("'139' || lpad(CAST(id AS text), 8, '0')") if db.engine.dialect.name == "postgresql"
                  else text("'139' || printf('%08d', id)"))
        db.session.execute(update(Firm).values(contact_phone=mobile))
        db.session.commit()


def queued(app) -> Counter:
    from sqlalchemy import func, select

    from pipeline.channels.models import ChannelMessage
    from pipeline.extensions import db
    from pipeline.mail.models import OutboxMessage

    with app.app_context():
        counts = Counter(dict(db.session.execute(select(ChannelMessage.channel, func.count())
                                                 .group_by(ChannelMessage.channel)).all()))
        counts["email"] = db.session.scalar(select(func.count(OutboxMessage.id)))
        db.session.remove()
    return counts


def run_day(app, day: date) -> tuple[int, float, float, int]:
    """(reminders, wall seconds, CPU seconds, statements) of one reminder day, committed."""
    from pipeline.extensions import db
    from pipeline.reminders.services import send_due_reminders

    with app.app_context(), counted_statements(app) as statements:
        started, cpu = time.perf_counter(), time.process_time()
        created = send_due_reminders(day, now=NOW)
        db.session.commit()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.session.remove()
    return sum(created.values()), wall, cpu, len(statements)


def send_some(app, limit: int) -> tuple[dict[str, Counter], float, float]:
    """({channel: Counter of outcomes}, seconds of the email sender, seconds of the channels' sender): the first
    `limit` queued messages of each channel (email included) sent through the stand-ins, the rest left for later.
    An outcome is sent, deferred (SMS: the per-number limit moved it to a later minute) or failed/queued."""
    from sqlalchemy import case, func, select, update

    from pipeline.channels.models import ChannelMessage
    from pipeline.channels.sender import send_queued_channel_messages
    from pipeline.extensions import db
    from pipeline.mail.models import MessageStatus, OutboxMessage
    from pipeline.mail.sender import send_queued_emails

    later = datetime(2099, 1, 1, tzinfo=UTC)
    with app.app_context():
        for model, channel in [(ChannelMessage, c) for c in ("sms", "dingtalk", "wecom", "dingtalk_work")] + [
                (OutboxMessage, "email")]:
            mine = model.channel == channel if model is ChannelMessage else model.id.is_not(None)
            first = select(model.id).where(mine).order_by(model.id).limit(limit)
            db.session.execute(update(model).where(mine, model.id.not_in(first.scalar_subquery()))
                               .values(next_attempt_at=later))
        db.session.commit()
        started = time.perf_counter()
        send_queued_emails(NOW)
        email_seconds, started = time.perf_counter() - started, time.perf_counter()
        send_queued_channel_messages(NOW)
        channel_seconds = time.perf_counter() - started
        outcomes: dict[str, Counter] = {}
        for model, channel_column in ((ChannelMessage, ChannelMessage.channel), (OutboxMessage, None)):
            outcome = case((model.status == MessageStatus.SENT, "sent"),
                           ((model.status == MessageStatus.QUEUED) & (model.next_attempt_at > NOW)
                            & (model.next_attempt_at < later), "deferred"),
                           else_=func.lower(func.cast(model.status, db.String)))
            key = channel_column if channel_column is not None else func.cast("email", db.String)
            for channel, name, n in db.session.execute(select(key, outcome, func.count())
                                                       .where(model.next_attempt_at < later)
                                                       .group_by(key, outcome)):
                outcomes.setdefault(channel, Counter())[name] = n
        db.session.remove()
    return outcomes, email_seconds, channel_seconds


def busy_day(app, day: date) -> None:
    """Make `day` the county's busiest: the 科小 window opens that day and a 高企 batch is due in 30 days (the
    annual report's reminder falls on 1 May by itself)."""
    from datetime import timedelta

    from pipeline.extensions import db
    from pipeline.reminders.models import HnteBatch, ProgramYear

    with app.app_context():
        year = db.session.get(ProgramYear, (day.year, 1)) or ProgramYear(year=day.year)
        year.tech_sme_opens_on, year.tech_sme_closes_on = day, day + timedelta(days=60)
        db.session.add(year)
        db.session.flush()
        db.session.add(HnteBatch(year=day.year, due_on=day + timedelta(days=30)))
        db.session.commit()


def first_errors(app) -> str:
    from sqlalchemy import func, select

    from pipeline.channels.models import ChannelMessage
    from pipeline.extensions import db

    with app.app_context():
        rows = db.session.execute(select(ChannelMessage.channel, func.min(ChannelMessage.last_error))
                                  .where(ChannelMessage.last_error != "").group_by(ChannelMessage.channel)).all()
        db.session.remove()
    return "; ".join(sorted({f"{channel}: {error[:120]}" for channel, error in rows}))


def days_on(size: int, args, goals: Goals, servers, robots):
    """(app, ordinary day, busy day), each day (reminders, wall, CPU, statements), on a fresh copy of the county."""
    app = county_copy_app(size, args.backend, goals, suffix=SUFFIX, rebuild=args.rebuild)
    configure(app, servers, robots)
    ordinary = run_day(app, ORDINARY_DAY)
    busy_day(app, args.day)
    return app, ordinary, run_day(app, args.day)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_backend_argument(parser)
    add_rebuild_argument(parser)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000, help="the county of the small day")
    parser.add_argument("--day", type=date.fromisoformat, default=DAY)
    parser.add_argument("--send", type=int, default=1_000, help="messages sent per channel")
    args = parser.parse_args()
    goals = Goals()
    servers, robots = start_providers()
    print(f"a reminder day ({args.day}) at {args.firms:,} firms against {args.small:,} on {args.backend}, every "
          f"channel on; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, a fixed Python loop takes "
          f"{python_loop_ms():.0f} ms", flush=True)
    try:
        small_app, _ordinary, small = days_on(args.small, args, goals, servers, robots)
        drop_county_copy(small_app, args.small, args.backend, suffix=SUFFIX)
        app, ordinary, large = days_on(args.firms, args, goals, servers, robots)
        try:
            measure(app, args, goals, small, ordinary, large)
        finally:
            drop_county_copy(app, args.firms, args.backend, suffix=SUFFIX)
    finally:
        for server in servers.values():
            server.stop()
    return goals.exit_code()


def measure(app, args, goals: Goals, small, ordinary, large) -> None:
    for label, (made, wall, cpu, statements) in (
            (f"{ORDINARY_DAY} at {args.firms:,} firms", ordinary), (f"{args.day} at {args.small:,} firms", small),
            (f"{args.day} at {args.firms:,} firms", large)):
        print(f"  {label:26} {made:7,} reminders  {wall:6.1f} s wall  {cpu:6.1f} s CPU  {statements:8,} "
              f"statements = {statements / max(made, 1):5.2f} a reminder", flush=True)
    per_small, per_large = small[3] / max(small[0], 1), large[3] / max(large[0], 1)
    print(f"  an ordinary day in {ordinary[1]:.1f} s (goal ≤ {RUN_GOAL_S} s: {goals.check(ordinary[1] <= RUN_GOAL_S)}); "
          f"the busiest day in {large[1]:.1f} s (goal ≤ {BUSY_GOAL_S} s: {goals.check(large[1] <= BUSY_GOAL_S)}, "
          f"{large[2] * 1000 / max(large[0], 1):.2f} ms CPU a reminder); {per_large:.2f} statements a reminder (goal ≤ "
          f"{STATEMENTS_GOAL} and not above {per_small:.2f} at {args.small:,}: "
          f"{goals.check(per_large <= STATEMENTS_GOAL and per_large <= per_small + 0.05)})")
    count = queued(app)
    print("  queued: " + ", ".join(f"{channel} {n:,}" for channel, n in sorted(count.items())), flush=True)
    outcomes, email_seconds, channel_seconds = send_some(app, args.send)
    for label, channels, seconds in (("email", ["email"], email_seconds),
                                     ("SMS, robots, work notices", ["sms", "dingtalk", "wecom", "dingtalk_work"],
                                      channel_seconds)):
        total = sum((outcomes.get(c, Counter()) for c in channels), Counter())
        handled = total["sent"] + total["deferred"]
        wanted = sum(min(args.send, count[c]) for c in channels)
        rate = handled / seconds if seconds else 0.0
        shown = "; ".join(f"{c} " + ", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.get(c, Counter()).items()))
                          for c in channels)
        print(f"  sent {label}: {handled:,} of {wanted:,} handled in {seconds:.1f} s = {rate:.0f}/s (goal all "
              f"sent or deferred by the per-number SMS limit, ≥ {SEND_FLOOR}/s: "
              f"{goals.check(handled == wanted and rate >= SEND_FLOOR)})  [{shown}]", flush=True)
    errors = first_errors(app)
    if errors:
        print(f"  errors: {errors}")
    print(f"  (a fixed Python loop takes {python_loop_ms():.0f} ms now)")


if __name__ == "__main__":
    raise SystemExit(main())
