"""Notification channels (issue 22): who gets a notice on which channel, and the providers' rules that need no I/O.

Plain Python: the signatures, the phone-number rule, the SMS variable rule and the rate-limit arithmetic are
used by the gateways (pipeline/channels/) and checked by the test servers alike."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from string import Formatter
from urllib.parse import quote

from pipeline.domain.reminders import PLACEHOLDERS, RULE_LABELS
from pipeline.domain.text import M_, N_, Msg


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"  # Alibaba Cloud SMS, to a person's mobile
    DINGTALK = "dingtalk"  # 钉钉 / 浙政钉 custom robot of a staff group (each town's group)
    DINGTALK_WORK = "dingtalk_work"  # 钉钉 / 浙政钉 work notification to one person, through an enterprise app
    WECOM = "wecom"  # 企业微信 group robot
    INAPP = "inapp"  # the reminder list in the application; always kept


CHANNEL_LABELS = {
    Channel.EMAIL: N_("电子邮件"),
    Channel.SMS: N_("短信"),
    Channel.DINGTALK: N_("钉钉（浙政钉）群机器人"),
    Channel.DINGTALK_WORK: N_("钉钉工作通知"),
    Channel.WECOM: N_("企业微信群机器人"),
    Channel.INAPP: N_("站内提醒"),
}
PERSONAL_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.DINGTALK_WORK)  # what a person chooses per kind of notice
BY_MOBILE = (Channel.SMS, Channel.DINGTALK_WORK)  # reach a person through their mobile number
GROUP_CHANNELS = (Channel.DINGTALK, Channel.WECOM)  # a town's staff group gets its town's digest
SENT_BY_OUTBOX = (Channel.SMS, Channel.DINGTALK_WORK, Channel.DINGTALK, Channel.WECOM)  # rows of channel_message (email has its own)
COUNTY_GROUP = "全县"  # the robot named so gets the digest of every town

# The kinds of notice a person chooses channels for: one per reminder rule, the monthly report being ready, and a
# policy pushed to the firm it applies to (惠企政策).
MONTHLY_REPORT = "monthly_report"
POLICY_NOTICE = "policy_notice"
KIND_LABELS = {**{code.value: label for code, label in RULE_LABELS.items()}, MONTHLY_REPORT: N_("月度报告已生成"),
               POLICY_NOTICE: N_("惠企政策推送")}
KIND_PLACEHOLDERS = {**{code.value: names for code, names in PLACEHOLDERS.items()}, MONTHLY_REPORT: ("报告月份",),
                     POLICY_NOTICE: ("企业名称", "政策名称")}
STAFF_ONLY_KINDS = frozenset({"stale_digest", "pause_ended", MONTHLY_REPORT})

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
SMS_VARIABLE_MAX = 35  # Alibaba: a template variable holds at most 35 characters


def normalize_mobile(text: str) -> str | None:
    """A mainland mobile number as 11 digits (spaces, dashes and +86 allowed around it), or None."""
    digits = re.sub(r"[\s\-()]", "", text or "")
    digits = digits.removeprefix("+86").removeprefix("0086")
    return digits if _MOBILE.match(digits) else None


def mask_mobile(number: str) -> str:
    """138****1234: enough to recognise a number in a list, not enough to call it."""
    return f"{number[:3]}****{number[-4:]}" if len(number) == 11 else "****"


def mask_secret(secret: str) -> str:
    """Show that a secret is set and which one, never the secret itself."""
    if not secret:
        return ""
    return f"{secret[:4]}…（{len(secret)} 位）" if len(secret) > 8 else "****"


def chosen(kind_choices: Mapping[str, bool], defaults: Mapping[str, bool], available: Iterable[str]) -> set[str]:
    """The channels a person gets a notice on: their own choice where they made one, else the admin's default."""
    return {channel for channel in available
            if kind_choices.get(channel, defaults.get(channel, channel == Channel.EMAIL))}


# --- SMS template variables -------------------------------------------------------------------------------------

def parse_sms_params(text: str, allowed: Iterable[str]) -> tuple[dict[str, str], list[Msg]]:
    """Read 'name={企业名称}; date={到期日期}' into {variable: template}; list what is wrong."""
    mapping, errors, allowed = {}, [], set(allowed)
    for part in filter(None, (p.strip() for p in re.split(r"[;；\n]", text or ""))):
        variable, sep, template = (s.strip() for s in part.partition("="))
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", variable):
            errors.append(M_("“%(part)s”不是“变量名={占位符}”的形式（变量名为英文字母、数字或下划线）", part=part))
            continue
        try:
            fields = [(name, spec, conversion) for _, name, spec, conversion in Formatter().parse(template)
                      if name is not None]
        except ValueError:
            errors.append(M_("“%(part)s”的花括号不成对", part=part))
            continue
        if any(spec or conversion for _, spec, conversion in fields):  # {企业名称:>9999} would fill memory
            errors.append(M_("“%(part)s”的占位符不能带格式说明", part=part))
            continue
        names = {name for name, _, _ in fields}
        unknown = sorted(names - allowed)
        if unknown:
            errors.append(M_("此规则没有占位符 %(name)s", name="{" + unknown[0] + "}"))
            continue
        mapping[variable] = template
    return mapping, errors


def sms_params(mapping: Mapping[str, str], values: Mapping[str, object]) -> dict[str, str]:
    """Fill each variable from the notice's values, cut to the provider's 35 characters; nothing else leaves."""
    filled = {}
    for variable, template in mapping.items():
        text = " ".join(template.format_map({k: str(v) for k, v in values.items()}).split())
        filled[variable] = text if len(text) <= SMS_VARIABLE_MAX else text[:SMS_VARIABLE_MAX - 1] + "…"
    return filled


def next_allowed(sent_at: Iterable[datetime], now: datetime, limits: Iterable[tuple[timedelta, int]]) -> datetime | None:
    """When one more message may go to a number that got messages at `sent_at`; None if now. Limits: (window, n)."""
    times = sorted(sent_at, reverse=True)
    waits = [times[count - 1] + window for window, count in limits
             if count > 0 and len(times) >= count and times[count - 1] + window > now]
    return max(waits, default=None)


# --- signatures --------------------------------------------------------------------------------------------------

def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk robot security setting '加签': base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote(base64.b64encode(digest).decode(), safe="")


def acs_percent_encode(text: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud signs it: unreserved A-Z a-z 0-9 - _ . ~ kept, everything else %XY."""
    return quote(text, safe="-_.~")


def acs3_canonical_request(method: str, query: Mapping[str, str], headers: Mapping[str, str],
                           payload_sha256: str) -> tuple[str, str]:
    """The canonical request of signature V3 (ACS3-HMAC-SHA256) for an RPC call on '/', and its signed headers."""
    canonical_query = "&".join(f"{acs_percent_encode(k)}={acs_percent_encode(v)}" for k, v in sorted(query.items()))
    signed = sorted(k.lower() for k in headers if k.lower() == "host" or k.lower() == "content-type"
                    or k.lower().startswith("x-acs-"))
    lowered = {k.lower(): v for k, v in headers.items()}
    canonical_headers = "".join(f"{name}:{lowered[name].strip()}\n" for name in signed)
    signed_headers = ";".join(signed)
    return "\n".join([method, "/", canonical_query, canonical_headers, signed_headers, payload_sha256]), signed_headers


def acs3_signature(secret: str, canonical_request: str) -> str:
    """hex(HMAC-SHA256(secret, 'ACS3-HMAC-SHA256\\n' + hex(SHA256(canonical request))))."""
    string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode()).hexdigest()
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
