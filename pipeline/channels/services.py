"""Queue a notice on the channels its recipients chose, and the settings pages' changes. Services flush, never commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.channels.models import ChannelSwitch, NoticeChoice, NoticeDefault, SmsTemplate, UserMobile
from pipeline.channels.outbox import queue_channel_message
from pipeline.channels.queries import (
    active_users_by_firm,
    channels_for,
    choices_by_user,
    enabled_channels,
    mobiles_by_user,
    notice_defaults,
)
from pipeline.channels.settings import ChannelSettings
from pipeline.domain.channels import (
    BY_MOBILE,
    COUNTY_GROUP,
    GROUP_CHANNELS,
    KIND_LABELS,
    KIND_PLACEHOLDERS,
    MONTHLY_REPORT,
    PERSONAL_CHANNELS,
    POLICY_NOTICE,
    SENT_BY_OUTBOX,
    Channel,
    normalize_mobile,
    parse_sms_params,
    sms_params,
)
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.i18n import translate_msg
from pipeline.mail.compose import external_url

DIGEST_MAX_LINES = 30  # a long day links to the list instead
ROBOT_MARKDOWN_BYTES = 4096  # WeCom's limit of a markdown message (UTF-8 bytes; DingTalk's robots take more)


class ChannelError(Exception):
    """A settings change the rules refuse; the message is shown as it is."""


_RUN_CACHE = "channels_run"


def _run_cached(name: str, load):
    """What a request or job run reads once (a reminder day asks for every recipient's choices, mobile and firm
    users): kept in g under one key, so that a saved setting or choice drops all of it at once (_forget_run)."""
    cache = g.setdefault(_RUN_CACHE, {})
    if name not in cache:
        cache[name] = load()
    return cache[name]


def _forget_run() -> None:
    g.pop(_RUN_CACHE, None)


def _enabled() -> set[Channel]:
    """The channels that exist."""
    return _run_cached("enabled", lambda: enabled_channels(ChannelSettings.from_config(current_app.config)))


def _defaults() -> dict[str, dict[str, bool]]:
    return _run_cached("defaults", notice_defaults)


def _choices(user_id: int) -> dict[str, dict[str, bool]]:
    """A user's choices: every user's read in one query (an officer receives many reminders of one day, and each
    firm user one)."""
    return _run_cached("choices", choices_by_user).get(user_id, {})


def _mobile(user_id: int) -> str:
    """A user's mobile number: every user's read in one query."""
    return _run_cached("mobiles", mobiles_by_user).get(user_id, "")


def _firm_users(firm_id: int) -> list[User]:
    """A firm's active users, every firm's read in one query (most firms have none)."""
    return _run_cached("firm_users", active_users_by_firm).get(firm_id, [])


def _sms_template(kind: str) -> SmsTemplate | None:
    templates = _run_cached("sms_templates", lambda: {row.kind: row for row in db.session.scalars(select(SmsTemplate))})
    return templates.get(kind)


def wants(user: User, kind: str, channel: Channel) -> bool:
    """Whether this user gets this kind of notice on this channel (their choice, else the admin's default)."""
    return channel.value in channels_for(_choices(user.id), kind, _enabled(), _defaults())


def queue_reminder_channels(reminder, firm: Firm | None, officer: User | None, values: dict, now: datetime) -> int:
    """Queue the reminder on the personal channels next to email its recipients chose (to the officer, or to the
    firm's users and contact); count the messages."""
    enabled = _enabled()
    count = _queue_sms(reminder, firm, officer, values, now) if Channel.SMS in enabled else 0
    if Channel.DINGTALK_WORK in enabled and officer is not None:  # the bureau's DingTalk holds staff, not firms
        count += _queue_work_notice(reminder, officer, now)
    return count


def _queue_sms(reminder, firm: Firm | None, officer: User | None, values: dict, now: datetime) -> int:
    numbers = _sms_numbers(reminder.rule_code, firm, officer)
    return _queue_sms_to(numbers, reminder.rule_code, values, reminder.title, f"reminder:{reminder.id}", now)


def _queue_sms_to(numbers: dict[str, str], kind: str, values: dict, title: str, key: str, now: datetime) -> int:
    """SMS with the kind's approved template: only the template's variables leave, each within 35 characters."""
    template = _sms_template(kind)
    if template is None or not template.template_code or not numbers:
        return 0
    mapping, _errors = parse_sms_params(template.params, KIND_PLACEHOLDERS[kind])
    params = sms_params(mapping, values)
    payload = {"template_code": template.template_code, "params": params}
    body = "；".join(f"{k}={v}" for k, v in params.items())
    for label, number in numbers.items():
        queue_channel_message(Channel.SMS, number, dedup_key=f"{key}:sms:{number}", now=now, kind=kind, label=label,
                              title=title, body=body, payload=payload)
    return len(numbers)


def _queue_work_notice(reminder, officer: User, now: datetime) -> int:
    """A DingTalk work notification to the officer, found in DingTalk by the mobile number they gave."""
    number = _mobile(officer.id)
    if not number or not wants(officer, reminder.rule_code, Channel.DINGTALK_WORK):
        return 0
    items = [f"{n}. {item}" for n, item in enumerate(reminder.items or [], start=1)][:DIGEST_MAX_LINES]
    body = "\n\n".join(filter(None, [f"#### {reminder.title}", reminder.body, "\n".join(items),
                                      f"[在系统中查看]({external_url('reminders.index')})"]))
    queue_channel_message(Channel.DINGTALK_WORK, number, dedup_key=f"reminder:{reminder.id}:dingtalk_work:{number}",
                          now=now, kind=reminder.rule_code, label=officer.label, title=reminder.title, body=body)
    return 1


def queue_report_notice(month_key: str, month_label: str, now: datetime) -> int:
    """Tell each subscriber of the monthly report that it is ready, by SMS or DingTalk work notification as each
    chose (the report itself goes by email); count the messages."""
    enabled, title = _enabled(), f"{month_label}培育漏斗月报已生成"
    link, count = external_url("reports.index"), 0
    body = f"#### {title}\n\n月报 PDF 已通过邮件发送，也可在系统中查看和下载。\n\n[查看月度报告]({link})"
    for user in db.session.scalars(select(User).where(User.reports_monthly.is_(True), User.active.is_(True))):
        number = _mobile(user.id)
        chosen = channels_for(_choices(user.id), MONTHLY_REPORT, enabled, _defaults()) if number else set()
        if Channel.SMS.value in chosen:
            count += _queue_sms_to({user.label: number}, MONTHLY_REPORT, {"报告月份": month_label}, title,
                                   f"monthly_report:{month_key}", now)
        if Channel.DINGTALK_WORK.value in chosen:
            queue_channel_message(Channel.DINGTALK_WORK, number, now=now, kind=MONTHLY_REPORT, label=user.label,
                                  dedup_key=f"monthly_report:{month_key}:dingtalk_work:{number}", title=title, body=body)
            count += 1
    return count


def queue_policy_sms(policy_id: int, policy_title: str, firm: Firm, now: datetime) -> int:
    """A pushed policy by SMS to the firm's users who chose it (and its contact, if the default says SMS); the
    template carries only the firm's and the policy's names. Count the messages."""
    if Channel.SMS not in _enabled():
        return 0
    numbers = _sms_numbers(POLICY_NOTICE, firm, None)
    return _queue_sms_to(numbers, POLICY_NOTICE, {"企业名称": firm.name, "政策名称": policy_title}, policy_title,
                         f"policy:{policy_id}:firm:{firm.id}", now)


def _sms_numbers(kind: str, firm: Firm | None, officer: User | None) -> dict[str, str]:
    """{label: mobile} of the officer, or of the firm's users (and its contact, if the default says SMS)."""
    users = [officer] if officer is not None else _firm_users(firm.id)
    numbers = {}
    for user in users:
        number = _mobile(user.id)
        if number and wants(user, kind, Channel.SMS) and number not in numbers.values():
            numbers[user.label] = number
    contact = normalize_mobile(firm.contact_phone) if officer is None else None
    if contact and contact not in numbers.values() and _defaults().get(kind, {}).get(Channel.SMS.value):
        numbers[firm.contact_name or firm.name] = contact
    return numbers


def queue_town_digests(reminders: Iterable, day: date, now: datetime) -> int:
    """Each town's staff group robot gets that day's reminders about its firms (全县 gets every town's); count them."""
    enabled = _enabled() & set(GROUP_CHANNELS)
    settings = ChannelSettings.from_config(current_app.config)
    lines_by_town: dict[str, list[str]] = defaultdict(list)
    seen, first_id = set(), None
    for reminder in sorted(reminders, key=lambda r: r.id):
        if reminder.firm is None or (reminder.rule_code, reminder.firm_id) in seen:
            continue
        seen.add((reminder.rule_code, reminder.firm_id))
        first_id = first_id or reminder.id
        line = f"- **{KIND_LABELS[reminder.rule_code]}**：{reminder.firm.name}（{reminder.title}）"
        lines_by_town[reminder.firm.town.name].append(line)
        lines_by_town[COUNTY_GROUP].append(line)
    queued = 0
    for channel in sorted(enabled):
        robots = settings.dingtalk_robots if channel is Channel.DINGTALK else settings.wecom_robots
        for name in robots:
            if lines_by_town.get(name):
                title, body = _digest(name, day, lines_by_town[name])
                queue_channel_message(channel, name, dedup_key=f"digest:{channel.value}:{name}:{day}:{first_id}",
                                      now=now, kind="town_digest", label=name, title=title, body=body)
                queued += 1
    return queued


def _digest(town: str, day: date, lines: list[str]) -> tuple[str, str]:
    """The digest's title and markdown: as many lines as fit in a robot message, then how many more there are."""
    title = f"{town} {day:%Y-%m-%d} 企业提醒（{len(lines)} 条）"
    link = external_url("reminders.index")
    shown = lines[:DIGEST_MAX_LINES]
    while True:
        more = [f"- 另有 {len(lines) - len(shown)} 条，请在系统中查看"] if len(lines) > len(shown) else []
        body = "\n".join([f"#### {title}", "", *shown, *more, "", f"[在系统中查看]({link})"])
        if len(body.encode()) <= ROBOT_MARKDOWN_BYTES or not shown:
            return title, body
        shown = shown[:-1]  # long firm names: 30 lines of Chinese can be 5,000 bytes and WeCom refuses the message


# --- settings -------------------------------------------------------------------------------------------------

def save_channel_settings(switches: dict[str, bool], defaults: dict[tuple[str, str], bool],
                          templates: dict[str, tuple[str, str]]) -> None:
    """The admin's page: which channels exist, the defaults per kind, and each rule's SMS template."""
    for code, (template_code, params) in templates.items():
        _mapping, errors = parse_sms_params(params, KIND_PLACEHOLDERS[code])
        if errors:
            raise ChannelError(_("%(rule)s：%(error)s", rule=_(KIND_LABELS[code]), error=translate_msg(errors[0])))
        if template_code and not template_code.replace("_", "").isalnum():
            raise ChannelError(_("%(rule)s：模板编号只能包含字母、数字和下划线（如 SMS_123456789）",
                                 rule=_(KIND_LABELS[code])))
    for channel in SENT_BY_OUTBOX:
        row = db.session.get(ChannelSwitch, channel.value) or ChannelSwitch(channel=channel.value)
        row.enabled = switches.get(channel.value, False)
        db.session.add(row)
    for (kind, channel), on in defaults.items():
        row = db.session.get(NoticeDefault, (kind, channel)) or NoticeDefault(kind=kind, channel=channel)
        row.enabled = on
        db.session.add(row)
    for code, (template_code, params) in templates.items():
        row = db.session.get(SmsTemplate, code) or SmsTemplate(kind=code)
        row.template_code, row.params = template_code.strip(), params.strip()
        db.session.add(row)
    db.session.flush()
    _forget_run()  # the run's cached settings are old


def save_user_choices(user: User, mobile: str, choices: dict[tuple[str, str], bool]) -> None:
    """A user's own mobile number and channel per kind of notice; a bad number is refused, nothing changed."""
    number = normalize_mobile(mobile) if mobile.strip() else ""
    if number is None:
        raise ChannelError(_("手机号码格式不正确：请填写 11 位中国大陆手机号码（1 开头，第二位为 3–9）"))
    if any(on for (_, channel), on in choices.items() if channel in BY_MOBILE) and not number:
        raise ChannelError(_("选择短信或钉钉工作通知前，请先填写手机号码"))
    row = db.session.get(UserMobile, user.id)
    if number:
        row = row or UserMobile(user_id=user.id)
        row.mobile = number
        db.session.add(row)
    elif row is not None:
        db.session.delete(row)
    for (kind, channel), on in choices.items():
        if channel not in {c.value for c in PERSONAL_CHANNELS}:
            continue
        row = db.session.get(NoticeChoice, (user.id, kind, channel)) or NoticeChoice(
            user_id=user.id, kind=kind, channel=channel)
        row.enabled = on
        db.session.add(row)
    db.session.flush()
    _forget_run()  # the run's cached choices are this user's old ones
