"""Providers on 127.0.0.1 (tests/provider_servers.py) and the app's channel settings pointing at them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipeline.channels.models import ChannelSwitch
from tests.policies.conftest import make_policy  # noqa: F401  (fixture: a pushed policy reaches firms by SMS)
from tests.provider_servers import (
    AK_ID,
    AK_SECRET,
    SIGN_NAME,
    AliyunSmsServer,
    DingTalkApiServer,
    DingTalkRobotServer,
    WeComRobotServer,
)

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
DING_TOKEN, DING_SECRET = "ding-token-nanming", "SECd2f1a0e8c7b6a5f4e3d2c1b0a9f8e7d6"
COUNTY_TOKEN, COUNTY_SECRET = "ding-token-county", "SEC0123456789abcdef0123456789abcdef"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
APP_KEY, APP_SECRET, AGENT_ID = "dingappkey0001", "dingappsecret-0123456789abcdef", 2914000001
STAFF_IN_DINGTALK = {"13800001111": "manager4220"}  # the officer's mobile → their DingTalk UserID


class Clock:
    """The providers' idea of now: the test moves it with the `now` it hands the sender."""

    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def providers(app, db, monkeypatch, clock):
    """Alibaba SMS, a DingTalk robot per group (南明街道 and 全县) and a WeCom robot, all switched on."""
    sms = AliyunSmsServer(clock=clock).start()
    ding = DingTalkRobotServer({DING_TOKEN: DING_SECRET, COUNTY_TOKEN: COUNTY_SECRET}, clock=clock).start()
    wecom = WeComRobotServer({WECOM_KEY}, clock=clock).start()
    api = DingTalkApiServer(APP_KEY, APP_SECRET, AGENT_ID, STAFF_IN_DINGTALK, clock=clock).start()
    settings = {
        "CHANNEL_TIMEOUT": 0.5, "SMS_ENDPOINT": sms.url, "SMS_ACCESS_KEY_ID": AK_ID, "SMS_ACCESS_KEY_SECRET": AK_SECRET,
        "SMS_SIGN_NAME": SIGN_NAME, "DINGTALK_ROBOT_URL": ding.url + "/robot/send",
        "DINGTALK_ROBOTS": json.dumps({"南明街道": {"access_token": DING_TOKEN, "secret": DING_SECRET},
                                       "全县": {"access_token": COUNTY_TOKEN, "secret": COUNTY_SECRET}}),
        "WECOM_ROBOT_URL": wecom.url + "/cgi-bin/webhook/send", "WECOM_ROBOTS": json.dumps({"全县": WECOM_KEY}),
        "DINGTALK_API_URL": api.url, "DINGTALK_APP_KEY": APP_KEY, "DINGTALK_APP_SECRET": APP_SECRET,
        "DINGTALK_AGENT_ID": str(AGENT_ID)}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    for channel in ("sms", "dingtalk", "wecom", "dingtalk_work"):
        db.session.merge(ChannelSwitch(channel=channel, enabled=True))
    db.session.commit()
    yield type("Providers", (), {"sms": sms, "dingtalk": ding, "wecom": wecom, "dingtalk_app": api})
    for server in (sms, ding, wecom, api):
        server.stop()
