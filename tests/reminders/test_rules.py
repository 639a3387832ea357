"""Each rule fires on its days and on no other, end to end: rules → reminders → outbox → a real SMTP server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pipeline.domain.stages import Stage
from pipeline.funnel.models import StageSetting
from pipeline.mail.models import OutboxMessage
from pipeline.reminders.models import AnnualReportFiling, Reminder, ReminderRule
from pipeline.reminders.services import send_due_reminders
from pipeline.reminders.verdicts import register_hnte_verdict_provider
from tests.reminders.conftest import days, noon
from tests.threads import run_at_once


def addresses(messages):
    return sorted(a.addr_spec for m in messages for a in m["To"].addresses)


def by_day(received):
    return {day: addresses(messages) for day, messages in received.items()}


def test_hnte_expiry_180_90_and_30_days_before_to_the_firm_and_its_officer(
        db, make_firm, officer, put_on_track, run_days, only_rule):
    only_rule("hnte_expiry")
    expires = date(2027, 6, 30)
    firm = make_firm(name="新昌天姥精密轴承有限公司", officer=officer, contact_email="tianmu@example.com")
    put_on_track(firm, "hnte", Stage.CERTIFIED, certificate_number="GR202433001234",
                 certified_on=date(2024, 6, 30), expires_on=expires)
    other = make_firm(officer=officer)  # expires far later: never in the window
    put_on_track(other, "hnte", Stage.CERTIFIED, expires_on=date(2029, 1, 1))
    received = run_days(days(expires - timedelta(days=185), expires + timedelta(days=3)))
    expected = ["tianmu@example.com", "wang@kjj.example.com"]
    assert by_day(received) == {expires - timedelta(days=180): expected, expires - timedelta(days=90): expected,
                                expires - timedelta(days=30): expected}
    message = received[expires - timedelta(days=30)][0]
    assert message["Subject"] == "【新昌县科学技术局】新昌天姥精密轴承有限公司高新技术企业证书将于2027-06-30到期"
    assert "距今还有 30 天" in message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_a_day_missed_while_down_is_sent_late_once_and_not_after_the_catch_up_days(
        app, db, make_firm, officer, put_on_track, run_days, only_rule):
    only_rule("hnte_expiry")
    expires = date(2027, 6, 30)
    firm = make_firm(officer=officer)
    put_on_track(firm, "hnte", Stage.CERTIFIED, expires_on=expires)
    # Down from 170 days before until 3 days after the 90-day date: the 90-day reminder comes late, once.
    received = run_days(days(expires - timedelta(days=87), expires - timedelta(days=80)))
    assert list(received) == [expires - timedelta(days=87)]
    reminder = db.session.scalar(select(Reminder).where(Reminder.recipient_firm_id == firm.id))
    assert reminder.due_on == expires - timedelta(days=90)
    # Down for longer than REMINDER_CATCH_UP_DAYS (7) around the 30-day date: that one is skipped.
    assert run_days(days(expires - timedelta(days=22), expires)) == {}


def test_hnte_annual_report_on_1_and_20_may_to_certified_firms_not_marked_filed(
        db, make_firm, officer, put_on_track, run_days, only_rule):
    only_rule("hnte_annual_report")
    owes, filed, new, pool = (make_firm(officer=officer) for _ in range(4))
    put_on_track(owes, "hnte", Stage.CERTIFIED, certified_on=date(2025, 12, 1), expires_on=date(2028, 12, 1))
    put_on_track(filed, "hnte", Stage.CERTIFIED, certified_on=date(2024, 12, 1), expires_on=date(2027, 12, 1))
    put_on_track(new, "hnte", Stage.CERTIFIED, certified_on=date(2027, 1, 20), expires_on=date(2030, 1, 20))
    put_on_track(pool, "hnte", Stage.POOL)
    db.session.add(AnnualReportFiling(firm_id=filed.id, year=2027))
    received = run_days(days(date(2027, 4, 25), date(2027, 5, 10)))
    assert by_day(received) == {date(2027, 5, 1): [owes.contact_email]}
    db.session.add(AnnualReportFiling(firm_id=owes.id, year=2027))  # the firm files after the first reminder
    assert run_days(days(date(2027, 5, 11), date(2027, 6, 5))) == {}


def test_hnte_annual_report_20_may_reminder_follows_the_1_may_one(db, make_firm, put_on_track, run_days, only_rule):
    only_rule("hnte_annual_report")
    firm = make_firm()
    put_on_track(firm, "hnte", Stage.CERTIFIED, certified_on=date(2025, 12, 1))
    received = run_days(days(date(2027, 4, 30), date(2027, 6, 1)))
    assert list(received) == [date(2027, 5, 1), date(2027, 5, 20)]
    text = received[date(2027, 5, 20)][0].get_body(("plain",)).get_content()
    assert "2026 年度报表" in text and "还有 11 天" in text


def test_tech_sme_evaluation_when_the_window_opens_and_14_days_before_it_closes(
        db, make_firm, put_on_track, run_days, only_rule):
    only_rule("tech_sme_evaluation")
    fresh, last_year, this_year, removed, revoked, paused = (make_firm() for _ in range(6))
    put_on_track(fresh, "tech_sme", Stage.SCREENING)
    put_on_track(last_year, "tech_sme", Stage.CERTIFIED, certificate_number="20253306240100012")
    put_on_track(this_year, "tech_sme", Stage.CERTIFIED, certificate_number="20263306240100077")
    put_on_track(removed, "tech_sme", Stage.REMOVED)
    put_on_track(revoked, "tech_sme", Stage.EXPIRED, revoked_year=2026)
    put_on_track(paused, "tech_sme", Stage.PAUSED, paused_until=date(2026, 12, 1))
    received = run_days(days(date(2026, 5, 28), date(2026, 9, 2)))  # 2026 window (migration): 06-01 to 08-31
    expected = sorted([fresh.contact_email, last_year.contact_email])
    assert by_day(received) == {date(2026, 6, 1): expected, date(2026, 8, 17): expected}


def test_tech_sme_evaluation_without_a_closing_date_reminds_on_the_opening_day_only(
        db, make_firm, put_on_track, run_days, only_rule):
    only_rule("tech_sme_evaluation")
    firm = make_firm()
    put_on_track(firm, "tech_sme", Stage.POOL)
    received = run_days(days(date(2024, 6, 20), date(2024, 12, 31)))  # 2024: from 06-27, no closing date
    assert list(received) == [date(2024, 6, 27)]
    assert "截止日期：以通知为准" in received[date(2024, 6, 27)][0]["Subject"]


def test_stale_digest_on_mondays_to_each_officer_listing_their_stale_firms(
        db, make_firm, make_user, officer, put_on_track, run_days, only_rule):
    only_rule("stale_digest")
    other_officer = make_user("officer", email="li@kjj.example.com")
    start = date(2026, 11, 2)  # a Monday
    quiet = datetime(2026, 7, 1, 4, tzinfo=UTC)  # pool: stale after 90 quiet days
    stale, fresh, paused, elsewhere = (make_firm(officer=officer) for _ in range(4))
    put_on_track(stale, "tech_sme", Stage.POOL, last_activity_at=quiet)
    put_on_track(fresh, "tech_sme", Stage.POOL, last_activity_at=datetime(2026, 10, 20, tzinfo=UTC))
    put_on_track(paused, "tech_sme", Stage.POOL, last_activity_at=quiet, paused_until=date(2026, 12, 31))
    put_on_track(make_firm(officer=other_officer), "hnte", Stage.SCREENING, last_activity_at=quiet)
    put_on_track(elsewhere, "hnte", Stage.CULTIVATING, last_activity_at=quiet)  # cultivating: 180 days
    received = run_days(days(start, start + timedelta(days=15)))
    assert by_day(received) == {date(2026, 11, 2): ["li@kjj.example.com", "wang@kjj.example.com"],
                                date(2026, 11, 9): ["li@kjj.example.com", "wang@kjj.example.com"],
                                date(2026, 11, 16): ["li@kjj.example.com", "wang@kjj.example.com"]}
    digest = next(m for m in received[date(2026, 11, 2)] if m["To"].addresses[0].addr_spec.startswith("wang"))
    text = digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert digest["Subject"] == "【新昌县科学技术局】本周有 1 家企业超过跟进期限"
    assert f"1. {stale.name}（科技型中小企业·入库）：已 124 天未跟进，阈值 90 天" in text
    assert fresh.name not in text and paused.name not in text and elsewhere.name not in text


def test_a_scheduler_started_mid_week_sends_that_weeks_digest_late_once(
        db, make_firm, officer, put_on_track, run_days, only_rule):
    only_rule("stale_digest")
    put_on_track(make_firm(officer=officer), "tech_sme", Stage.POOL, last_activity_at=datetime(2026, 7, 1, tzinfo=UTC))
    received = run_days(days(date(2026, 11, 5), date(2026, 11, 10)))  # Thursday to Tuesday
    assert list(received) == [date(2026, 11, 5), date(2026, 11, 9)]
    assert db.session.scalar(select(Reminder.due_on).order_by(Reminder.id)) == date(2026, 11, 2)


def test_stale_threshold_is_more_than_the_configured_days(app, db, make_firm, officer, put_on_track):
    from pipeline.reminders.queries import list_stale_records

    db.session.get(StageSetting, Stage.POOL).stale_days = 10
    firm = make_firm(officer=officer)
    put_on_track(firm, "tech_sme", Stage.POOL, last_activity_at=datetime(2026, 11, 1, 15, 59, tzinfo=UTC))  # 11-01 23:59 CST
    assert list_stale_records(date(2026, 11, 11)) == []
    (record,) = list_stale_records(date(2026, 11, 12))
    assert (record.firm_id, record.days_quiet, record.stale_days) == (firm.id, 11, 10)


def test_pause_ended_on_the_resume_date_to_the_officer(db, make_firm, officer, put_on_track, run_days, only_rule):
    only_rule("pause_ended")
    paused, resumed = make_firm(officer=officer), make_firm(officer=officer)
    put_on_track(paused, "hnte", Stage.PAUSED, paused_until=date(2026, 7, 15), pause_reason="企业搬迁")
    put_on_track(resumed, "hnte", Stage.CULTIVATING, paused_until=date(2026, 7, 15))  # already back
    put_on_track(make_firm(), "tech_sme", Stage.PAUSED, paused_until=date(2026, 7, 15))  # no officer
    received = run_days(days(date(2026, 7, 10), date(2026, 7, 31)))
    assert by_day(received) == {date(2026, 7, 15): ["wang@kjj.example.com"]}
    text = received[date(2026, 7, 15)][0].get_body(("plain",)).get_content()
    assert "暂缓原因：企业搬迁" in text


@pytest.fixture
def verdicts(app):
    given = {}
    register_hnte_verdict_provider(app, lambda firm_ids, today: {i: given[i] for i in firm_ids if i in given})
    yield given
    register_hnte_verdict_provider(app, None)


def test_hnte_batch_30_and_7_days_before_to_cultivating_firms_judged_pass_or_possible(
        db, make_firm, put_on_track, run_days, verdicts, only_rule):
    only_rule("hnte_batch")
    passing, possible, failing, unknown, in_pool = (make_firm() for _ in range(5))
    for firm in (passing, possible, failing, unknown):
        put_on_track(firm, "hnte", Stage.CULTIVATING)
    put_on_track(in_pool, "hnte", Stage.POOL)
    verdicts.update({passing.id: "pass", possible.id: "possible", failing.id: "fail", in_pool.id: "pass"})
    received = run_days(days(date(2026, 3, 25), date(2026, 8, 5)))  # batches (migration): 04-30 and 07-31
    expected = sorted([passing.contact_email, possible.contact_email])
    assert by_day(received) == {date(2026, 3, 31): expected, date(2026, 4, 23): expected,
                                date(2026, 7, 1): expected, date(2026, 7, 24): expected}
    texts = {m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content() for m in received[date(2026, 7, 24)]}
    assert "贵公司基本符合认定条件" in texts[passing.contact_email]
    assert "贵公司有望符合认定条件" in texts[possible.contact_email]


def test_without_a_verdict_provider_rule_6_reminds_nobody(db, make_firm, put_on_track, run_days, only_rule):
    only_rule("hnte_batch")
    put_on_track(make_firm(), "hnte", Stage.CULTIVATING)
    assert run_days([date(2026, 3, 31), date(2026, 7, 24)]) == {}


def test_running_the_same_day_twice_sends_nothing_more(app, db, make_firm, officer, put_on_track, run_days):
    firm = make_firm(officer=officer)
    put_on_track(firm, "hnte", Stage.CERTIFIED, expires_on=date(2027, 6, 30))
    day = date(2027, 6, 30) - timedelta(days=90)
    assert len(run_days([day])[day]) == 2
    assert run_days([day, day]) == {}
    assert db.session.scalar(select(func.count(Reminder.id))) == 2
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_two_runs_at_once_store_and_send_each_reminder_once(app, db, make_firm, officer, put_on_track, smtp_server):
    for _ in range(10):
        put_on_track(make_firm(officer=officer), "hnte", Stage.CERTIFIED, expires_on=date(2027, 6, 30))
    db.session.commit()
    day = date(2027, 6, 30) - timedelta(days=30)

    def run():
        with app.app_context():
            created = send_due_reminders(day, now=noon(day))
            db.session.commit()
            return sum(created.values())

    assert sum(run_at_once(run)) == 20  # between them, each reminder created once
    assert db.session.scalar(select(func.count(Reminder.id))) == 20
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 20


def test_a_switched_off_rule_sends_nothing(db, make_firm, officer, put_on_track, run_days):
    db.session.get(ReminderRule, ("hnte_expiry", 1)).enabled = False
    put_on_track(make_firm(officer=officer), "hnte", Stage.CERTIFIED, expires_on=date(2027, 6, 30))
    assert run_days([date(2027, 6, 30) - timedelta(days=30)]) == {}


def test_a_firm_without_any_address_gets_the_reminder_in_the_app_only(db, make_firm, officer, put_on_track, run_days):
    firm = make_firm(contact_email="", officer=officer)
    put_on_track(firm, "hnte", Stage.CERTIFIED, expires_on=date(2027, 6, 30))
    day = date(2027, 6, 30) - timedelta(days=30)
    assert by_day(run_days([day])) == {day: ["wang@kjj.example.com"]}
    reminder = db.session.scalar(select(Reminder).where(Reminder.recipient_firm_id == firm.id))
    assert reminder.outbox_message_id is None and "证书" in reminder.title


def test_a_firm_without_a_contact_address_is_mailed_at_its_users_addresses(
        db, make_firm, make_user, put_on_track, run_days):
    firm = make_firm(contact_email="")
    make_user("firm", firm_id=firm.id, email="staff@firm.example.com")
    put_on_track(firm, "hnte", Stage.CERTIFIED, expires_on=date(2027, 6, 30))
    day = date(2027, 6, 30) - timedelta(days=30)
    assert by_day(run_days([day])) == {day: ["staff@firm.example.com"]}


def test_the_cli_runs_the_rules_for_a_given_day_and_flushes_the_outbox(
        app, db, runner, make_firm, officer, put_on_track, smtp_server):
    put_on_track(make_firm(officer=officer), "hnte", Stage.CERTIFIED, expires_on=date(2027, 6, 30))
    db.session.commit()
    result = runner.invoke(args=["reminders", "run", "--today", "2027-01-01"])
    assert result.exit_code == 0, result.output
    assert "新增提醒 2 条" in result.output and "高企证书到期提醒：2" in result.output
    assert "新增提醒 0 条" in runner.invoke(args=["reminders", "run", "--today", "2027-01-01"]).output
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "已发送 2 封" in result.output
    assert len(smtp_server.envelopes) == 2
    assert runner.invoke(args=["reminders", "run", "--today", "2027-13-01"]).exit_code == 2
