"""Done-when of issue 22: a reminder day delivers each due notice once on each channel a recipient chose, across an
outage of one channel — rules → reminders → email outbox + channel outbox → real SMTP and provider servers."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from pipeline.channels.models import ChannelMessage, NoticeChoice, NoticeDefault, SmsTemplate, UserMobile
from pipeline.channels.sender import send_queued_channel_messages
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack, Track
from pipeline.mail.sender import send_queued_emails
from pipeline.reminders.models import ReminderRule
from pipeline.reminders.services import send_due_reminders
from tests.channels.conftest import NOW


def _setup(db, make_firm, make_user):
    for rule in db.session.scalars(select(ReminderRule)):
        rule.enabled = rule.code == "hnte_expiry"
    db.session.add(SmsTemplate(kind="hnte_expiry", template_code="SMS_480001",
                               params="name={企业名称}; date={到期日期}"))
    officer = make_user("officer", display_name="王科员", email="wang@kjj.example.com")
    firm = make_firm(name="浙江新昌天姥山精密轴承制造股份有限公司（集团）新昌县城南乡第二生产基地研发分公司", officer=officer,
                     contact_email="", contact_phone="0575-86001234")
    firm_user = make_user("firm", firm=firm, display_name="李经理", email="li@firm.example.com")
    db.session.add_all([UserMobile(user_id=officer.id, mobile="13800001111"),
                        UserMobile(user_id=firm_user.id, mobile="13900002222"),
                        NoticeChoice(user_id=officer.id, kind="hnte_expiry", channel="sms", enabled=True),
                        NoticeChoice(user_id=officer.id, kind="hnte_expiry", channel="dingtalk_work", enabled=True),
                        NoticeChoice(user_id=firm_user.id, kind="hnte_expiry", channel="sms", enabled=True),
                        # the firm user wants SMS only: no email
                        NoticeChoice(user_id=firm_user.id, kind="hnte_expiry", channel="email", enabled=False),
                        NoticeDefault(kind="hnte_expiry", channel="sms", enabled=True)])
    track = db.session.scalar(select(Track).where(Track.code == "hnte"))
    db.session.add(FirmTrack(firm=firm, track=track, stage=Stage.CERTIFIED, certificate_number="GR202433001234",
                             certified_on=date(2024, 6, 30), expires_on=date(2027, 6, 30)))
    db.session.commit()
    return officer, firm, firm_user


def _run_day(app, db, day, now):
    with app.app_context():
        send_due_reminders(day, now=now)
        db.session.commit()


def _send(app, clock, now):
    clock.now = now
    with app.app_context():
        send_queued_emails(now)
        return send_queued_channel_messages(now)


def test_a_reminder_day_delivers_each_notice_once_per_chosen_channel_across_an_sms_outage(
        app, db, make_firm, make_user, providers, smtp_server, clock):
    officer, firm, firm_user = _setup(db, make_firm, make_user)
    day = date(2027, 5, 31)  # 30 days before the certificate expires
    providers.sms.stop()  # SMS is down the whole morning
    _run_day(app, db, day, NOW)
    report = _send(app, clock, NOW)
    assert report.down == ["sms"] and report.retrying == 2
    _run_day(app, db, day, NOW + timedelta(hours=1))  # a second run the same day (catch-up, restart) adds nothing
    _send(app, clock, NOW + timedelta(hours=1))
    # email and the robots were not held up by the SMS outage
    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == ["wang@kjj.example.com"]
    assert len(providers.dingtalk.accepted) == 2  # 南明街道's group and the county's group
    assert {m["token"] for m in providers.dingtalk.accepted} == {"ding-token-nanming", "ding-token-county"}
    assert firm.name in providers.dingtalk.accepted[0]["text"] and "/reminders/" in providers.dingtalk.accepted[0]["text"]
    assert len(providers.wecom.accepted) == 1
    (notice,) = providers.dingtalk_app.accepted  # the officer's DingTalk work notification, found by mobile
    assert notice["userid"] == "manager4220" and "高新技术企业证书将于2027-06-30到期" in notice["title"]
    providers.sms.start()
    _send(app, clock, NOW + timedelta(hours=2))
    _send(app, clock, NOW + timedelta(hours=3))
    phones = sorted(a["phone"] for a in providers.sms.accepted)
    # the officer, the firm user, and the firm's contact phone is not a mobile: not texted
    assert phones == ["13800001111", "13900002222"]
    params = providers.sms.accepted[0]["params"]
    assert params["date"] == "2027-06-30" and len(params["name"]) == 35 and params["name"].endswith("…")
    assert set(params) == {"name", "date"}  # nothing of the firm beyond the template's variables
    db.session.expire_all()
    statuses = {(m.channel, m.status.value) for m in db.session.scalars(select(ChannelMessage))}
    assert statuses == {("sms", "sent"), ("dingtalk", "sent"), ("wecom", "sent"), ("dingtalk_work", "sent")}
    assert len(smtp_server.envelopes) == 1 and len(providers.sms.accepted) == 2
    assert len(providers.dingtalk_app.accepted) == 1


def test_a_firm_contacts_mobile_gets_the_sms_when_the_default_is_on(app, db, make_firm, make_user, providers, clock):
    officer, firm, firm_user = _setup(db, make_firm, make_user)
    firm.contact_phone = "+86 137-0000-3333"
    db.session.delete(db.session.get(UserMobile, firm_user.id))
    db.session.commit()
    _run_day(app, db, date(2027, 5, 31), NOW)
    _send(app, clock, NOW)
    assert sorted(a["phone"] for a in providers.sms.accepted) == ["13700003333", "13800001111"]


def test_the_monthly_reports_subscribers_are_told_it_is_ready_on_the_channels_they_chose(
        app, db, make_user, providers, clock):
    from pipeline.channels.services import queue_report_notice

    leader = make_user("leader", display_name="赵局长", email="zhao@kjj.example.com", reports_monthly=True)
    reader = make_user("leader", display_name="钱副局长", email="qian@kjj.example.com")  # not subscribed
    db.session.add_all([UserMobile(user_id=leader.id, mobile="13800001111"),
                        UserMobile(user_id=reader.id, mobile="13900002222"),
                        SmsTemplate(kind="monthly_report", template_code="SMS_480002", params="name={报告月份}")]
                       + [NoticeChoice(user_id=user.id, kind="monthly_report", channel=channel, enabled=True)
                          for user in (leader, reader) for channel in ("sms", "dingtalk_work")])
    db.session.commit()
    assert queue_report_notice("2026-10", "2026年10月", NOW) == 2
    assert queue_report_notice("2026-10", "2026年10月", NOW) == 2  # sent again by hand: the outbox keeps one
    db.session.commit()
    _send(app, clock, NOW)
    assert providers.sms.accepted == [{"phone": "13800001111", "template": "SMS_480002",
                                       "params": {"name": "2026年10月"}, "out_id": providers.sms.accepted[0]["out_id"]}]
    (notice,) = providers.dingtalk_app.accepted
    assert notice["title"] == "2026年10月培育漏斗月报已生成" and "/reports/" in notice["text"]


def test_an_officers_choices_are_read_once_however_many_of_the_days_reminders_are_theirs(
        app, db, make_firm, make_user, providers, count_queries):
    officer, _firm, _firm_user = _setup(db, make_firm, make_user)
    track = db.session.scalar(select(Track).where(Track.code == "hnte"))
    for n in range(3):  # three more of this officer's firms expire the same day
        other = make_firm(officer=officer, contact_email="")
        db.session.add(FirmTrack(firm=other, track=track, stage=Stage.CERTIFIED, certificate_number=f"GR20243300200{n}",
                                 certified_on=date(2024, 6, 30), expires_on=date(2027, 6, 30)))
    db.session.commit()
    with count_queries() as counted:
        _run_day(app, db, date(2027, 5, 31), NOW)
    choice_reads = [s for s in counted.statements if "FROM notice_choice" in s]
    assert len(choice_reads) == 1  # every user's choices at once, not one read per reminder or per user
    assert db.session.scalar(select(func.count(ChannelMessage.id)).where(ChannelMessage.channel == "dingtalk_work")) == 4


def test_a_reminder_day_reads_mobile_numbers_and_firm_users_once_not_per_reminder(
        app, db, make_firm, make_user, providers, count_queries):
    officer, firm, firm_user = _setup(db, make_firm, make_user)
    track = db.session.scalar(select(Track).where(Track.code == "hnte"))
    for n in range(4):  # four more firms whose certificates expire the same day, each with a user who gave a mobile
        other = make_firm(name=f"第{n}家轴承有限公司", officer=officer, contact_email="", contact_phone="")
        user = make_user("firm", firm=other, email=f"u{n}@firm.example.com")
        db.session.add_all([UserMobile(user_id=user.id, mobile=f"1390000{n:04d}"),
                            FirmTrack(firm=other, track=track, stage=Stage.CERTIFIED, certified_on=date(2024, 6, 30),
                                      certificate_number=f"GR20243300{n:04d}", expires_on=date(2027, 6, 30))])
    db.session.commit()
    with app.app_context(), count_queries() as counted:
        send_due_reminders(date(2027, 5, 31), now=NOW)
        db.session.commit()
    mobiles = [s for s in counted.statements if "FROM user_mobile" in s]
    firm_users = [s for s in counted.statements if "user.firm_id IS NOT NULL" in s.replace('"', "")]
    templates = [s for s in counted.statements if "FROM sms_template" in s]
    assert (len(mobiles), len(firm_users), len(templates)) == (1, 1, 1)
    assert db.session.scalar(select(func.count(ChannelMessage.id)).where(ChannelMessage.channel == "sms")) == 10
    # each reminder with an email is linked to it (one UPDATE for the day)
    from pipeline.mail.models import OutboxMessage
    from pipeline.reminders.models import Reminder

    linked = db.session.execute(select(Reminder.id, OutboxMessage.dedup_key)
                                .join(OutboxMessage, OutboxMessage.id == Reminder.outbox_message_id)).all()
    emails = db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.dedup_key.like("reminder:%")))
    assert len(linked) == emails >= 6 and all(key == f"reminder:{rid}" for rid, key in linked)


def test_a_long_days_town_digest_fits_in_a_wecom_message_and_says_how_many_more(app, db, make_firm, providers, clock):
    from pipeline.channels.services import queue_town_digests
    from pipeline.reminders.services import RecordedReminder

    firms = [make_firm(name=f"浙江新昌天姥山精密轴承制造股份有限公司第{n}研发分公司") for n in range(40)]
    db.session.commit()
    reminders = [RecordedReminder(n + 1, "hnte_expiry", "高新技术企业证书将于2027-06-30到期，请尽快准备重新认定申报材料",
                                  "", [], firm) for n, firm in enumerate(firms)]
    assert queue_town_digests(reminders, date(2027, 5, 31), NOW) == 3  # 南明街道 and 全县 by DingTalk, 全县 by WeCom
    db.session.commit()
    _send(app, clock, NOW)
    (wecom,) = providers.wecom.accepted
    text = wecom["content"]
    assert len(text.encode()) <= 4096 and "条，请在系统中查看" in text and firms[0].name in text
    statuses = set(db.session.scalars(select(ChannelMessage.status)))
    assert {status.value for status in statuses} == {"sent"}
