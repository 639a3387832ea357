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
    KIND_LABELS,
    KIND_PLACEHOLDERS,
    MONTHLY_REPORT,
    PERSONAL_CHANNELS,
    SENT_BY_OUTBOX,
    STAFF_ONLY_KINDS,
    Channel,
    mask_secret,
)
from pipeline.extensions import db

KINDS = list(KIND_LABELS)


def read_settings_form(form) -> tuple[dict, dict, dict]:
    switches = {c.value: form.get(f"switch:{c.value}") == "on" for c in SENT_BY_OUTBOX}
    defaults = {(k, c.value): form.get(f"default:{k}:{c.value}") == "on" for k in KINDS for c in PERSONAL_CHANNELS}
    templates = {k: (form.get(f"template:{k}", "")[:32], form.get(f"params:{k}", "")[:500]) for k in KINDS}
    return switches, defaults, templates


def settings_page_context(posted=None) -> dict:
    """What the admin's page shows: each channel's switch and settings (secrets masked), defaults, templates."""
    settings = ChannelSettings.from_config(current_app.config)
    switched = {row.channel: row.enabled for row in db.session.query(ChannelSwitch)}
    templates = {row.kind: row for row in db.session.query(SmsTemplate)}
    defaults = notice_defaults()
    robots = {Channel.DINGTALK: [(r.name, mask_secret(r.token), mask_secret(r.secret))
                                 for r in settings.dingtalk_robots.values()],
              Channel.WECOM: [(r.name, mask_secret(r.token), "") for r in settings.wecom_robots.values()]}
    rows = []
    for kind in KINDS:
        saved = templates.get(kind)
        rows.append(dict(
            kind=kind, label=KIND_LABELS[kind], placeholders=KIND_PLACEHOLDERS[kind],
            defaults={c.value: (posted.get(f"default:{kind}:{c.value}") == "on") if posted else
                      defaults.get(kind, {}).get(c.value, c is Channel.EMAIL) for c in PERSONAL_CHANNELS},
            template=posted.get(f"template:{kind}", "") if posted else (saved.template_code if saved else ""),
            params=posted.get(f"params:{kind}", "") if posted else (saved.params if saved else "")))
    return dict(settings=settings, switched=switched, robots=robots, rows=rows, county_group=COUNTY_GROUP,
                sms_secret=mask_secret(settings.sms.access_key_secret), enabled=enabled_channels(settings),
                app_secret=mask_secret(settings.dingtalk_app.app_secret),
                channels=SENT_BY_OUTBOX, personal=PERSONAL_CHANNELS, channel_labels=CHANNEL_LABELS)


def kinds_for(user) -> list[str]:
    """The kinds of notice a user can get: a firm's users never get the officers' digests nor the monthly report."""
    if user.role is Role.FIRM:
        return [k for k in KINDS if k not in STAFF_ONLY_KINDS]
    return [k for k in KINDS if k != MONTHLY_REPORT or user.reports_monthly]  # the report goes to its subscribers


def read_choices_form(form, kinds, available) -> dict:
    """Only the channels that exist now: a channel switched off keeps each user's earlier choice."""
    return {(k, c.value): form.get(f"choice:{k}:{c.value}") == "on" for k in kinds for c in available}
