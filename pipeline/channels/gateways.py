"""How a channel message leaves: one gateway per provider, each a signed HTTPS call with a timeout.

Outcomes use the outbox's vocabulary (pipeline/mail/transport.py): TryLater (nothing was accepted: the provider
is down, busy or rate-limits us), Refused (sending it again would be refused again) and OutcomeUnknown (the
request left but no answer came: it may have been delivered, so it is not sent again)."""

from __future__ import annotations

import hashlib
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from pipeline.channels.models import ChannelMessage
from pipeline.domain.channels import (
    Channel,
    acs3_canonical_request,
    acs3_signature,
    acs_percent_encode,
    dingtalk_sign,
)
from pipeline.mail.transport import OutcomeUnknown, Refused, TryLater

SMS_ERRORS = {  # Alibaba SendSms codes, in words an admin can act on
    "isv.BUSINESS_LIMIT_CONTROL": "短信发送频率超过阿里云限制（同一号码每分钟、每小时或每天的条数），稍后自动重试",
    "isv.MOBILE_NUMBER_ILLEGAL": "手机号码格式不正确",
    "isv.TEMPLATE_MISSING_PARAMETERS": "短信模板缺少变量，请在“通知渠道”中检查该规则的变量对应",
    "isv.SMS_TEMPLATE_ILLEGAL": "短信模板不存在或未通过审核，请检查模板编号",
    "isv.SMS_SIGNATURE_ILLEGAL": "短信签名不存在或未通过审核，请检查 SMS_SIGN_NAME",
    "isv.AMOUNT_NOT_ENOUGH": "阿里云账户余额不足",
    "isv.PARAM_LENGTH_LIMIT": "短信变量超过长度限制",
    "isv.INVALID_JSON_PARAM": "短信模板变量不是有效的 JSON",
    "SignatureDoesNotMatch": "请求签名校验失败，请检查 AccessKey Secret",
    "InvalidAccessKeyId.NotFound": "AccessKey ID 不存在，请检查 SMS_ACCESS_KEY_ID",
}
SMS_RETRY_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User", "ServiceUnavailable",
                             "InternalError"})
ROBOT_ERRORS = {  # DingTalk and WeCom errcodes
    130101: "钉钉机器人发送太快（每个机器人每分钟最多 20 条），稍后自动重试",
    310000: "钉钉机器人校验失败：加签密钥、关键词或 IP 白名单不符",
    300001: "钉钉机器人 access_token 无效",
    400013: "钉钉群已解散",
    45009: "企业微信机器人发送太快（每个机器人每分钟最多 20 条），稍后自动重试",
    93000: "企业微信机器人 webhook key 无效",
    40008: "企业微信机器人不支持此消息类型",
    40014: "钉钉 access_token 无效或已过期",
    40089: "钉钉应用 AppKey 或 AppSecret 不正确",
    33012: "钉钉中没有这个用户（UserID 无效）",
    60121: "钉钉中找不到该手机号的用户，请确认其已加入本单位的钉钉组织",
}
ROBOT_RETRY_CODES = frozenset({130101, 45009, -1})


NO_ANSWER = "服务器在 {timeout:g} 秒内没有应答，无法确认是否已送达；为避免重复发送，不再自动重试"


class Outage(TryLater):
    """The provider could not be reached at all: the rest of this channel's batch waits too."""


@dataclass(frozen=True)
class SmsSettings:
    endpoint: str
    access_key_id: str
    access_key_secret: str
    sign_name: str
    timeout: float

    @property
    def configured(self) -> bool:
        return bool(self.access_key_id and self.access_key_secret and self.sign_name)


@dataclass(frozen=True)
class DingTalkApp:
    api_url: str
    app_key: str
    app_secret: str
    agent_id: str

    @property
    def configured(self) -> bool:
        return bool(self.app_key and self.app_secret and self.agent_id.isdigit())


@dataclass(frozen=True)
class Robot:
    name: str  # a town's name, or 全县
    token: str  # DingTalk access_token / WeCom key
    secret: str = ""  # DingTalk 加签 secret


def post(url: str, body: bytes | None, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """One HTTP call (a GET without a body) with a timeout; a refused connection is an Outage, an answer that
    never came OutcomeUnknown."""
    request = urllib.request.Request(url, data=body, headers=headers,  # noqa: S310 (URL from settings)
                                     method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise OutcomeUnknown(NO_ANSWER.format(timeout=timeout)) from exc
        raise Outage(f"无法连接服务器（{exc.reason}），稍后自动重试") from exc
    except TimeoutError as exc:
        raise OutcomeUnknown(NO_ANSWER.format(timeout=timeout)) from exc
    except OSError as exc:  # the connection broke after the request left
        raise OutcomeUnknown(f"连接中断，无法确认是否已送达：{exc}") from exc


def _json(status: int, raw: bytes) -> dict:
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not isinstance(answer, dict):
        if status >= 500:
            raise TryLater(f"服务器暂时不可用（HTTP {status}），稍后自动重试")
        raise Refused(f"服务器的应答无法识别（HTTP {status}）")
    return answer


def _robot_answer(answer: dict) -> dict:
    """DingTalk's and WeCom's answers: errcode 0, or an error in words (a rate limit waits and is retried)."""
    code = answer.get("errcode")
    if code == 0:
        return answer
    words = ROBOT_ERRORS.get(code, f"返回错误 {code}：{answer.get('errmsg', '')}")
    raise (TryLater if code in ROBOT_RETRY_CODES else Refused)(words)


class AlibabaSms:
    """Alibaba Cloud SMS SendSms (2017-05-25), signed with signature V3 (ACS3-HMAC-SHA256) over HTTPS."""

    ACTION, VERSION = "SendSms", "2017-05-25"

    def __init__(self, settings: SmsSettings):
        self.settings = settings

    def send(self, message: ChannelMessage, now: datetime) -> str:
        """Send one SMS; return the provider's ids ('RequestId / BizId')."""
        query = {"PhoneNumbers": message.recipient, "SignName": self.settings.sign_name,
                 "TemplateCode": message.payload["template_code"],
                 "TemplateParam": json.dumps(message.payload["params"], ensure_ascii=False, separators=(",", ":")),
                 "OutId": f"pipeline-{message.id}"}
        url, headers = self.signed_request(query, now, secrets.token_hex(16))
        answer = _json(*post(url, b"", headers, self.settings.timeout))
        code = str(answer.get("Code", ""))
        if code == "OK":
            return f"{answer.get('RequestId', '')} / {answer.get('BizId', '')}".strip(" /")
        words = SMS_ERRORS.get(code, f"阿里云短信返回 {code}：{answer.get('Message', '')}")
        raise (TryLater if code in SMS_RETRY_CODES else Refused)(words)

    def signed_request(self, query: dict[str, str], now: datetime, nonce: str) -> tuple[str, dict[str, str]]:
        """The URL and headers of a signed POST with the parameters in the query string and an empty body."""
        endpoint = self.settings.endpoint.rstrip("/")
        headers = {"host": urlsplit(endpoint).netloc, "x-acs-action": self.ACTION, "x-acs-version": self.VERSION,
                   "x-acs-date": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "x-acs-signature-nonce": nonce, "x-acs-content-sha256": hashlib.sha256(b"").hexdigest()}
        canonical, signed_headers = acs3_canonical_request("POST", query, headers, headers["x-acs-content-sha256"])
        signature = acs3_signature(self.settings.access_key_secret, canonical)
        headers["Authorization"] = (f"ACS3-HMAC-SHA256 Credential={self.settings.access_key_id},"
                                    f"SignedHeaders={signed_headers},Signature={signature}")
        return f"{endpoint}/?{urlencode(query, quote_via=_quote)}", headers


def _quote(text, *_ignored) -> str:
    """urlencode's quote_via: the same encoding the signature used, so the server decodes what was signed."""
    return acs_percent_encode(str(text))


class RobotGateway:
    """A group robot webhook (DingTalk custom robot with 加签, or WeCom group robot), markdown messages."""

    def __init__(self, channel: Channel, base_url: str, robots: dict[str, Robot], timeout: float):
        self.channel, self.base_url, self.robots, self.timeout = channel, base_url, robots, timeout

    @property
    def configured(self) -> bool:
        return bool(self.robots)

    def send(self, message: ChannelMessage, now: datetime) -> str:
        robot = self.robots.get(message.recipient)
        if robot is None:
            raise Refused(f"没有名为“{message.recipient}”的机器人配置")
        status, raw = post(self._url(robot, now), json.dumps(self._body(message), ensure_ascii=False).encode(),
                           {"Content-Type": "application/json; charset=utf-8"}, self.timeout)
        _robot_answer(_json(status, raw))
        return ""

    def _url(self, robot: Robot, now: datetime) -> str:
        if self.channel is Channel.WECOM:
            return f"{self.base_url}?{urlencode({'key': robot.token})}"
        query = {"access_token": robot.token}
        if robot.secret:
            timestamp = int(now.timestamp() * 1000)
            query |= {"timestamp": str(timestamp), "sign": dingtalk_sign(robot.secret, timestamp)}
        # the sign is already URL-encoded, as DingTalk's documentation builds it
        return f"{self.base_url}?" + "&".join(f"{k}={v}" if k == "sign" else urlencode({k: v}) for k, v in query.items())

    def _body(self, message: ChannelMessage) -> dict:
        if self.channel is Channel.WECOM:
            return {"msgtype": "markdown", "markdown": {"content": message.body}}
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.body}}


class DingTalkWorkNotice:
    """Work notification (工作通知) to one person through the bureau's DingTalk enterprise app: the app's token
    (gettoken), the person's UserID by mobile number (topapi/v2/user/getbymobile), then asyncsend_v2 with markdown.
    Token and UserIDs are kept for one sender run."""

    def __init__(self, app: DingTalkApp, timeout: float):
        self.app, self.timeout = app, timeout
        self._token: str | None = None
        self._userids: dict[str, str] = {}

    def send(self, message: ChannelMessage, now: datetime) -> str:
        userid = self._userid(message.recipient)
        body = {"agent_id": int(self.app.agent_id), "userid_list": userid,
                "msg": {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.body}}}
        answer = self._api("/topapi/message/corpconversation/asyncsend_v2", body)
        return str(answer.get("task_id", ""))

    def _userid(self, mobile: str) -> str:
        if mobile not in self._userids:
            answer = self._api("/topapi/v2/user/getbymobile", {"mobile": mobile})
            self._userids[mobile] = str((answer.get("result") or {}).get("userid", ""))
        return self._userids[mobile]

    def _api(self, path: str, body: dict) -> dict:
        url = f"{self.app.api_url.rstrip('/')}{path}?{urlencode({'access_token': self._access_token()})}"
        answer = _json(*post(url, json.dumps(body, ensure_ascii=False).encode(),
                             {"Content-Type": "application/json; charset=utf-8"}, self.timeout))
        return _robot_answer(answer)

    def _access_token(self) -> str:
        if self._token is None:
            query = urlencode({"appkey": self.app.app_key, "appsecret": self.app.app_secret})
            answer = _json(*post(f"{self.app.api_url.rstrip('/')}/gettoken?{query}", None, {}, self.timeout))
            self._token = str(_robot_answer(answer).get("access_token", ""))
        return self._token
