"""Each gateway against its provider's stand-in on 127.0.0.1: signed requests accepted, wrong ones refused in words,
outages and rate limits retried, slow answers never sent twice, one channel's outage not blocking another."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pipeline.channels.models import ChannelMessage
from pipeline.channels.outbox import queue_channel_message
from pipeline.channels.sender import send_queued_channel_messages
from pipeline.domain.channels import Channel
from pipeline.mail.models import MessageStatus
from tests.channels.conftest import NOW


def queue_sms(db, number="13800001234", key="t:1", params=None, template="SMS_480001"):
    queue_channel_message(Channel.SMS, number, dedup_key=key, now=NOW, kind="hnte_expiry", label="王经理",
                          payload={"template_code": template, "params": params or {"name": "天姥轴承", "date": "2027-06-30"}})
    db.session.commit()


def queue_robot(db, channel, name, key):
    queue_channel_message(channel, name, dedup_key=key, now=NOW, title="南明街道 提醒", body="#### 南明街道\n- 甲公司")
    db.session.commit()


def send(app, clock, now=NOW, **kw):
    clock.now = now
    with app.app_context():
        return send_queued_channel_messages(now, **kw)


def rows(db):
    db.session.expire_all()
    return list(db.session.scalars(select(ChannelMessage).order_by(ChannelMessage.id)))


def test_a_signed_sms_is_accepted_and_the_provider_ids_are_kept(app, db, providers, clock):
    queue_sms(db)
    assert send(app, clock).sent == 1
    (accepted,) = providers.sms.accepted
    assert accepted["phone"] == "13800001234" and accepted["params"] == {"name": "天姥轴承", "date": "2027-06-30"}
    (row,) = rows(db)
    assert (row.status, row.attempts, row.sent_at) == (MessageStatus.SENT, 1, NOW)
    assert row.provider_request_id == "REQ-1 / 900000^0"
    assert send(app, clock, NOW + timedelta(hours=1), force=True).sent == 0  # never twice
    assert len(providers.sms.accepted) == 1


def test_a_wrong_access_key_secret_fails_the_signature_check_in_words(app, db, providers, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_ACCESS_KEY_SECRET", "not-the-secret")
    queue_sms(db)
    assert send(app, clock).failed == 1
    assert providers.sms.rejected[0]["Code"] == "SignatureDoesNotMatch"
    assert rows(db)[0].last_error == "请求签名校验失败，请检查 AccessKey Secret"


def test_the_provider_refuses_a_template_without_its_variables(app, db, providers, clock):
    queue_sms(db, params={"name": "天姥轴承"})
    send(app, clock)
    (row,) = rows(db)
    assert row.status is MessageStatus.FAILED and "短信模板缺少变量" in row.last_error


def test_the_per_number_limits_hold_the_second_sms_of_a_minute_without_asking_the_provider(
        app, db, providers, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_LIMIT_PER_HOUR", 2)
    for index in range(3):
        queue_sms(db, key=f"t:{index}")
    report = send(app, clock)
    assert report.sent == 1 and providers.sms.rejected == []
    waiting = [r for r in rows(db) if r.status is MessageStatus.QUEUED]
    assert {(r.next_attempt_at, r.attempts) for r in waiting} == {(NOW + timedelta(minutes=1), 0)}
    assert "频率上限" in waiting[0].last_error
    assert send(app, clock, NOW + timedelta(minutes=1)).sent == 1
    # the hour's two are used up: the third waits for the first to leave the hour
    assert send(app, clock, NOW + timedelta(minutes=2)).sent == 0
    assert rows(db)[2].next_attempt_at == NOW + timedelta(hours=1)
    assert send(app, clock, NOW + timedelta(hours=1)).sent == 1
    assert len(providers.sms.accepted) == 3


def test_the_providers_rate_limit_error_is_retried_with_backoff(app, db, providers, clock):
    providers.sms.mode = "limit"
    queue_sms(db)
    assert send(app, clock).retrying == 1
    (row,) = rows(db)
    assert row.status is MessageStatus.QUEUED and row.next_attempt_at == NOW + timedelta(seconds=60)
    assert "频率超过阿里云限制" in row.last_error
    providers.sms.mode = "ok"
    assert send(app, clock, NOW + timedelta(seconds=60)).sent == 1


def test_a_slow_answer_times_out_and_is_not_sent_again(app, db, providers, clock):
    providers.sms.mode = "slow"
    queue_sms(db)
    report = send(app, clock)
    assert report.failed == 1
    (row,) = rows(db)
    assert row.status is MessageStatus.FAILED and "无法确认是否已送达" in row.last_error


def test_dingtalk_robot_signs_each_request_and_a_wrong_secret_is_refused(app, db, providers, clock, monkeypatch):
    queue_robot(db, Channel.DINGTALK, "南明街道", "d:1")
    assert send(app, clock).sent == 1
    assert providers.dingtalk.accepted[0]["title"] == "南明街道 提醒"
    monkeypatch.setitem(app.config, "DINGTALK_ROBOTS", '{"南明街道": {"access_token": "ding-token-nanming", "secret": "SECwrong"}}')
    queue_robot(db, Channel.DINGTALK, "南明街道", "d:2")
    assert send(app, clock).failed == 1
    assert "加签密钥" in rows(db)[1].last_error


def test_dingtalk_send_too_fast_and_wecom_frequency_errors_wait_and_retry(app, db, providers, clock):
    providers.dingtalk.mode = providers.wecom.mode = "limit"
    queue_robot(db, Channel.DINGTALK, "全县", "d:1")
    queue_robot(db, Channel.WECOM, "全县", "w:1")
    assert send(app, clock).retrying == 2
    assert [r.last_error[:7] for r in rows(db)] == ["钉钉机器人发送", "企业微信机器人"]
    providers.dingtalk.mode = providers.wecom.mode = "ok"
    assert send(app, clock, NOW + timedelta(minutes=1)).sent == 2
    assert providers.wecom.accepted[0]["content"].startswith("#### 南明街道")


def test_an_sms_outage_does_not_hold_up_the_robots_and_the_sms_go_once_it_is_back(app, db, providers, clock):
    providers.sms.stop()
    queue_sms(db, key="s:1")
    queue_sms(db, number="13900005678", key="s:2")
    queue_robot(db, Channel.DINGTALK, "南明街道", "d:1")
    report = send(app, clock)
    assert (report.sent, report.retrying, report.down) == (1, 2, ["sms"])
    assert "无法连接服务器" in rows(db)[0].last_error
    providers.sms.start()
    assert send(app, clock, NOW + timedelta(minutes=5)).sent == 2
    assert send(app, clock, NOW + timedelta(minutes=10), force=True).sent == 0
    assert sorted(a["phone"] for a in providers.sms.accepted) == ["13800001234", "13900005678"]
    assert len(providers.dingtalk.accepted) == 1


def test_a_channel_the_admin_switched_off_sends_nothing_and_says_why(app, db, providers, clock):
    from pipeline.channels.models import ChannelSwitch

    db.session.get(ChannelSwitch, "wecom").enabled = False
    queue_robot(db, Channel.WECOM, "全县", "w:1")
    assert send(app, clock).failed == 1
    assert providers.wecom.accepted == [] and "已被管理员关闭" in rows(db)[0].last_error


def test_a_work_notification_finds_the_person_by_mobile_and_keeps_the_task_id(app, db, providers, clock):
    queue_channel_message(Channel.DINGTALK_WORK, "13800001111", dedup_key="w:1", now=NOW, title="暂缓期满提醒",
                          body="#### 暂缓期满提醒\n\n天姥轴承的暂缓期已满")
    queue_channel_message(Channel.DINGTALK_WORK, "13700009999", dedup_key="w:2", now=NOW, title="暂缓期满提醒",
                          body="#### 暂缓期满提醒")
    db.session.commit()
    report = send(app, clock)
    assert (report.sent, report.failed) == (1, 1)
    sent, unknown = rows(db)
    assert providers.dingtalk_app.accepted[0]["userid"] == "manager4220"
    assert sent.provider_request_id == "256271667527"
    assert unknown.last_error == "钉钉中找不到该手机号的用户，请确认其已加入本单位的钉钉组织"


def test_a_wrong_app_secret_is_said_in_words(app, db, providers, clock, monkeypatch):
    monkeypatch.setitem(app.config, "DINGTALK_APP_SECRET", "wrong")
    queue_channel_message(Channel.DINGTALK_WORK, "13800001111", dedup_key="w:1", now=NOW, title="t", body="b")
    db.session.commit()
    assert send(app, clock).failed == 1
    assert rows(db)[0].last_error == "钉钉应用 AppKey 或 AppSecret 不正确"


def test_an_sms_held_by_the_limits_past_the_give_up_time_is_failed_in_words(app, db, providers, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_LIMIT_PER_DAY", 1)
    monkeypatch.setitem(app.config, "CHANNEL_GIVE_UP_HOURS", 2)
    queue_sms(db, key="t:1")
    queue_sms(db, key="t:2")
    report = send(app, clock)
    assert (report.sent, report.failed) == (1, 1)
    assert rows(db)[1].last_error == "同一号码的短信条数超过频率上限过久，已放弃"
    assert len(providers.sms.accepted) == 1
