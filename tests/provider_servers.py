"""Local stand-ins for the providers, on 127.0.0.1 in a thread each: Alibaba Cloud SMS (SendSms 2017-05-25, signature
V3 ACS3-HMAC-SHA256), a DingTalk custom robot with 加签 and a WeCom group robot.

Each checks a request the way its provider's documentation says and answers with the provider's error when a
check fails, so a gateway that signs or encodes wrongly fails its test. The checks are written here again from the
documentation, not imported from the code under test. DingTalk's open API (gettoken, user by mobile, work
notification) is here too. Each can be down (connection refused), slow (answers after
the client's timeout) or rate-limiting (the provider's own limit errors)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from tests.smtp import free_port

AK_ID, AK_SECRET, SIGN_NAME = "LTAI5tTestKeyId", "test-access-key-secret-0123456789", "新昌县科技局"


class ProviderServer:
    """A threaded HTTP server that can be started, stopped (refusing connections) and started again on its port."""

    def __init__(self, clock=lambda: datetime.now(UTC)):
        self.port, self.clock = free_port(), clock
        self.mode = "ok"  # "ok", "slow" or "limit"
        self.slow_seconds = 2.0
        self.accepted: list[dict] = []
        self.rejected: list[dict] = []
        self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ProviderServer:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if provider.mode == "slow":
                    time.sleep(provider.slow_seconds)
                status, answer = provider.handle(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                raw = json.dumps(answer, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except OSError:  # the client gave up waiting (the slow mode)
                    pass

            def do_GET(self):  # noqa: N802
                status, answer = provider.handle(self.path, {k.lower(): v for k, v in self.headers.items()}, b"")
                raw = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        raise NotImplementedError

    def _reject(self, status: int, answer: dict) -> tuple[int, dict]:
        self.rejected.append(answer)
        return status, answer


def _acs_encode(text: str) -> str:
    return quote(text, safe="-_.~")


class AliyunSmsServer(ProviderServer):
    """SendSms as dysmsapi.aliyuncs.com checks it: V3 signature, timestamp, nonce, sign name, template, variables."""

    templates = {"SMS_480001": {"name", "date"}, "SMS_480002": {"name"}, "SMS_480003": {"firm", "p"}}

    def __init__(self, **kw):
        super().__init__(**kw)
        self.nonces: set[str] = set()
        self.per_number: dict[str, list[datetime]] = {}

    def handle(self, path, headers, body):
        query = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
        error = self._check_signature(query, headers, body)
        if error:
            return self._reject(*error)
        if headers.get("x-acs-action") != "SendSms" or headers.get("x-acs-version") != "2017-05-25":
            return self._reject(400, {"Code": "InvalidAction.NotFound", "Message": "action or version"})
        phone, template = query.get("PhoneNumbers", ""), query.get("TemplateCode", "")
        if not re.fullmatch(r"1[3-9]\d{9}", phone):
            return self._reject(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
        if query.get("SignName") != SIGN_NAME:
            return self._reject(200, {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "签名不合法"})
        if template not in self.templates:
            return self._reject(200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"})
        try:
            params = json.loads(query.get("TemplateParam", ""))
        except ValueError:
            return self._reject(200, {"Code": "isv.INVALID_JSON_PARAM", "Message": "JSON参数不合法"})
        if not isinstance(params, dict) or set(params) != self.templates[template]:
            return self._reject(200, {"Code": "isv.TEMPLATE_MISSING_PARAMETERS", "Message": "模板变量缺少对应参数值"})
        if any(len(str(v)) > 35 for v in params.values()):
            return self._reject(200, {"Code": "isv.PARAM_LENGTH_LIMIT", "Message": "参数超出长度限制"})
        now = self.clock()
        recent = [t for t in self.per_number.get(phone, []) if t > now - timedelta(minutes=1)]
        if self.mode == "limit" or recent:  # Alibaba's default: one message per number per minute
            return self._reject(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"})
        self.per_number.setdefault(phone, []).append(now)
        biz_id = f"{900000 + len(self.accepted)}^0"
        self.accepted.append({"phone": phone, "template": template, "params": params, "out_id": query.get("OutId")})
        return 200, {"Code": "OK", "Message": "OK", "RequestId": f"REQ-{len(self.accepted)}", "BizId": biz_id}

    def _check_signature(self, query, headers, body):
        authorization = headers.get("authorization", "")
        match = re.fullmatch(r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})",
                             authorization)
        if not match:
            return 400, {"Code": "MissingAuthorization", "Message": "Authorization is mandatory"}
        key_id, signed_headers, signature = match.groups()
        if key_id != AK_ID:
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
        names = signed_headers.split(";")
        required = {"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce",
                    "x-acs-version"}
        if names != sorted(names) or not required <= set(names):
            return 400, {"Code": "IncompleteSignature", "Message": "signed headers"}
        if headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
            return 400, {"Code": "ContentSHA256NotMatch", "Message": "x-acs-content-sha256"}
        sent_at = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs(sent_at - self.clock()) > timedelta(minutes=15):
            return 400, {"Code": "InvalidTimeStamp.Expired", "Message": "timestamp expired"}
        nonce = headers.get("x-acs-signature-nonce", "")
        if not nonce or nonce in self.nonces:
            return 400, {"Code": "SignatureNonceUsed", "Message": "nonce used"}
        self.nonces.add(nonce)
        canonical_query = "&".join(f"{_acs_encode(k)}={_acs_encode(v)}" for k, v in sorted(query.items()))
        canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in names)
        canonical = "\n".join(["POST", "/", canonical_query, canonical_headers, signed_headers,
                               headers["x-acs-content-sha256"]])
        to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
        expected = hmac.new(AK_SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
        return None


class DingTalkRobotServer(ProviderServer):
    """oapi.dingtalk.com/robot/send with the 加签 security setting: token, timestamp within an hour, sign, markdown."""

    def __init__(self, robots: dict[str, str], **kw):
        super().__init__(**kw)
        self.robots = robots  # access_token -> secret

    def handle(self, path, headers, body):
        parts = urlsplit(path)
        raw_query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
        token = unquote(raw_query.get("access_token", ""))
        if parts.path != "/robot/send" or token not in self.robots:
            return self._reject(200, {"errcode": 300001, "errmsg": "token is not exist"})
        secret, timestamp = self.robots[token], unquote(raw_query.get("timestamp", "0"))
        if not timestamp.isdigit() or abs(int(timestamp) - self.clock().timestamp() * 1000) > 3600 * 1000:
            return self._reject(200, {"errcode": 310000, "errmsg": "sign not match, timestamp invalid"})
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        if unquote(raw_query.get("sign", "")) != base64.b64encode(digest).decode():
            return self._reject(200, {"errcode": 310000, "errmsg": "sign not match"})
        message = json.loads(body.decode("utf-8"))
        markdown = message.get("markdown") or {}
        if message.get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
            return self._reject(200, {"errcode": 40035, "errmsg": "缺少参数 markdown"})
        if self.mode == "limit":
            return self._reject(200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
        self.accepted.append({"token": token, **markdown})
        return 200, {"errcode": 0, "errmsg": "ok"}


class WeComRobotServer(ProviderServer):
    """qyapi.weixin.qq.com/cgi-bin/webhook/send: key, markdown content of at most 4,096 bytes."""

    def __init__(self, keys: set[str], **kw):
        super().__init__(**kw)
        self.keys = keys

    def handle(self, path, headers, body):
        parts = urlsplit(path)
        key = dict(parse_qsl(parts.query)).get("key", "")
        if parts.path != "/cgi-bin/webhook/send" or key not in self.keys:
            return self._reject(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
        message = json.loads(body.decode("utf-8"))
        content = (message.get("markdown") or {}).get("content", "")
        if message.get("msgtype") != "markdown" or not content or len(content.encode()) > 4096:
            return self._reject(200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"})
        if self.mode == "limit":
            return self._reject(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
        self.accepted.append({"key": key, "content": content})
        return 200, {"errcode": 0, "errmsg": "ok"}


class DingTalkApiServer(ProviderServer):
    """oapi.dingtalk.com for an enterprise app: gettoken, topapi/v2/user/getbymobile, corpconversation/asyncsend_v2."""

    def __init__(self, app_key: str, app_secret: str, agent_id: int, users: dict[str, str], **kw):
        super().__init__(**kw)
        self.app_key, self.app_secret, self.agent_id, self.users = app_key, app_secret, agent_id, users
        self.tokens: set[str] = set()

    def handle(self, path, headers, body):
        parts = urlsplit(path)
        query = dict(parse_qsl(parts.query))
        if parts.path == "/gettoken":
            if (query.get("appkey"), query.get("appsecret")) != (self.app_key, self.app_secret):
                return self._reject(200, {"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"})
            token = f"app-token-{len(self.tokens) + 1}"
            self.tokens.add(token)
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if query.get("access_token") not in self.tokens:
            return self._reject(200, {"errcode": 40014, "errmsg": "不合法的access_token"})
        message = json.loads(body.decode("utf-8") or "{}")
        if parts.path == "/topapi/v2/user/getbymobile":
            userid = self.users.get(message.get("mobile", ""))
            if userid is None:
                return self._reject(200, {"errcode": 60121, "errmsg": "找不到该用户"})
            return 200, {"errcode": 0, "errmsg": "ok", "result": {"userid": userid}, "request_id": "r1"}
        if parts.path == "/topapi/message/corpconversation/asyncsend_v2":
            markdown = (message.get("msg") or {}).get("markdown") or {}
            if message.get("agent_id") != self.agent_id:
                return self._reject(200, {"errcode": 40056, "errmsg": "不合法的agentid"})
            if message.get("userid_list") not in self.users.values():
                return self._reject(200, {"errcode": 33012, "errmsg": "无效的USERID"})
            if message["msg"].get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
                return self._reject(200, {"errcode": 40035, "errmsg": "缺少参数 msg"})
            self.accepted.append({"userid": message["userid_list"], **markdown})
            return 200, {"errcode": 0, "errmsg": "ok", "task_id": 256271667526 + len(self.accepted), "request_id": "r2"}
        return self._reject(404, {"errcode": 404, "errmsg": "not found"})
