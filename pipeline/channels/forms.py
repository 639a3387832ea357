"""The settings pages' grids of checkboxes and fields, read from the posted form (their names carry kind and channel)."""

from __future__ import annotations

from flask import current_app

from pipeline.auth.models import Role
from pipeline.channels.models import ChannelSwitch, SmsTemplate
from pipeline.channels.queries import enabled_channels, notice_defaults
from pipeline.channels.settings import ChannelSettings
from pipeline.domain.channels import (
    CHANNEL_LABELS,
    COUNTY_GROUP,
    PERSONAL_CHANNELS,
    SENT_BY_OUTBOX,
    Channel,
    mask_secret,
)
from pipeline.domain.reminders import PLACEHOLDERS, RULE_LABELS, RuleCode
from pipeline.extensions import db

KINDS = list(RuleCode)  # the kinds of notice a person chooses channels for: one per reminder rule
OFFICER_ONLY_KINDS = (RuleCode.STALE_DIGEST, RuleCode.PAUSE_ENDED)


def read_settings_form(form) -> tuple[dict, dict, dict]:
    switches = {c.value: form.get(f"switch:{c.value}") == "on" for c in SENT_BY_OUTBOX}
    defaults = {(k.value, c.value): form.get(f"default:{k.value}:{c.value}") == "on"
                for k in KINDS for c in PERSONAL_CHANNELS}
    templates = {k.value: (form.get(f"template:{k.value}", "")[:32], form.get(f"params:{k.value}", "")[:500])
                 for k in KINDS}
    return switches, defaults, templates


def settings_page_context(posted=None) -> dict:
    """What the admin's page shows: each channel's switch and settings (secrets masked), defaults, templates."""
    settings = ChannelSettings.from_config(current_app.config)
    switched = {row.channel: row.enabled for row in db.session.query(ChannelSwitch)}
    templates = {row.rule_code: row for row in db.session.query(SmsTemplate)}
    defaults = notice_defaults()
    robots = {Channel.DINGTALK: [(r.name, mask_secret(r.token), mask_secret(r.secret))
                                 for r in settings.dingtalk_robots.values()],
              Channel.WECOM: [(r.name, mask_secret(r.token), "") for r in settings.wecom_robots.values()]}
    rows = []
    for kind in KINDS:
        saved = templates.get(kind.value)
        rows.append(dict(
            kind=kind.value, label=RULE_LABELS[kind], placeholders=PLACEHOLDERS[kind],
            defaults={c.value: (posted.get(f"default:{kind.value}:{c.value}") == "on") if posted else
                      defaults.get(kind.value, {}).get(c.value, c is Channel.EMAIL) for c in PERSONAL_CHANNELS},
            template=posted.get(f"template:{kind.value}", "") if posted else (saved.template_code if saved else ""),
            params=posted.get(f"params:{kind.value}", "") if posted else (saved.params if saved else "")))
    return dict(settings=settings, switched=switched, robots=robots, rows=rows, county_group=COUNTY_GROUP,
                sms_secret=mask_secret(settings.sms.access_key_secret), enabled=enabled_channels(settings),
                app_secret=mask_secret(settings.dingtalk_app.app_secret),
                channels=SENT_BY_OUTBOX, personal=PERSONAL_CHANNELS, channel_labels=CHANNEL_LABELS)


def kinds_for(user) -> list[RuleCode]:
    """The kinds of notice a user can get: a firm's users never get the officers' digests."""
    if user.role is Role.FIRM:
        return [k for k in KINDS if k not in OFFICER_ONLY_KINDS]
    return KINDS


def read_choices_form(form, kinds, available) -> dict:
    """Only the channels that exist now: a channel switched off keeps each user's earlier choice."""
    return {(k.value, c.value): form.get(f"choice:{k.value}:{c.value}") == "on" for k in kinds for c in available}
