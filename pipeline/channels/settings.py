"""The channels' settings, read from the app's config (the environment) when a sender or a page needs them."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from pipeline.channels.gateways import (
    AlibabaSms,
    DingTalkApp,
    DingTalkWorkNotice,
    Robot,
    RobotGateway,
    SmsSettings,
)
from pipeline.domain.channels import Channel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelSettings:
    sms: SmsSettings
    dingtalk_app: DingTalkApp
    dingtalk_url: str
    dingtalk_robots: dict[str, Robot]
    wecom_url: str
    wecom_robots: dict[str, Robot]
    timeout: float
    retry_seconds: float
    give_up_hours: float
    sms_limits: tuple[tuple[timedelta, int], ...]

    @classmethod
    def from_config(cls, config) -> ChannelSettings:
        timeout = config["CHANNEL_TIMEOUT"]
        return cls(
            sms=SmsSettings(endpoint=config["SMS_ENDPOINT"], access_key_id=config["SMS_ACCESS_KEY_ID"],
                            access_key_secret=config["SMS_ACCESS_KEY_SECRET"], sign_name=config["SMS_SIGN_NAME"],
                            timeout=timeout),
            dingtalk_app=DingTalkApp(api_url=config["DINGTALK_API_URL"], app_key=config["DINGTALK_APP_KEY"],
                                     app_secret=config["DINGTALK_APP_SECRET"], agent_id=config["DINGTALK_AGENT_ID"]),
            dingtalk_url=config["DINGTALK_ROBOT_URL"], dingtalk_robots=_robots(config["DINGTALK_ROBOTS"], dingtalk=True),
            wecom_url=config["WECOM_ROBOT_URL"], wecom_robots=_robots(config["WECOM_ROBOTS"], dingtalk=False),
            timeout=timeout, retry_seconds=config["CHANNEL_RETRY_SECONDS"], give_up_hours=config["CHANNEL_GIVE_UP_HOURS"],
            sms_limits=((timedelta(minutes=1), config["SMS_LIMIT_PER_MINUTE"]),
                        (timedelta(hours=1), config["SMS_LIMIT_PER_HOUR"]),
                        (timedelta(days=1), config["SMS_LIMIT_PER_DAY"])))

    def configured(self, channel: Channel) -> bool:
        """Whether the environment holds what the channel needs (email is always there: at worst .eml files)."""
        return {Channel.EMAIL: True, Channel.INAPP: True, Channel.SMS: self.sms.configured,
                Channel.DINGTALK_WORK: self.dingtalk_app.configured,
                Channel.DINGTALK: bool(self.dingtalk_robots), Channel.WECOM: bool(self.wecom_robots)}[channel]

    def gateways(self) -> dict[Channel, object]:
        return {Channel.SMS: AlibabaSms(self.sms), Channel.DINGTALK_WORK: DingTalkWorkNotice(self.dingtalk_app, self.timeout),
                Channel.DINGTALK: RobotGateway(Channel.DINGTALK, self.dingtalk_url, self.dingtalk_robots, self.timeout),
                Channel.WECOM: RobotGateway(Channel.WECOM, self.wecom_url, self.wecom_robots, self.timeout)}


def _robots(text: str, *, dingtalk: bool) -> dict[str, Robot]:
    """DINGTALK_ROBOTS: {"全县": {"access_token": "…", "secret": "SEC…"}, "南明街道": {…}}; WECOM_ROBOTS: {"全县": "key"}."""
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
        if dingtalk:
            return {name: Robot(name, str(v["access_token"]), str(v.get("secret", ""))) for name, v in data.items()}
        return {name: Robot(name, str(key)) for name, key in data.items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        log.error("%s is not valid JSON of the documented shape; the channel stays off",
                  "DINGTALK_ROBOTS" if dingtalk else "WECOM_ROBOTS")
        return {}
