"""The daily reminder job of the scheduler."""

from __future__ import annotations

from datetime import datetime

from pipeline.domain.reminders import RULE_LABELS, RuleCode
from pipeline.extensions import db
from pipeline.i18n import to_local
from pipeline.reminders.services import send_due_reminders
from pipeline.tenancy.scope import for_each_county


@for_each_county
def run_reminders_job(now: datetime) -> str | None:
    """Evaluate the rules for today (Asia/Shanghai) and commit; the sender job delivers the mail."""
    created = send_due_reminders(to_local(now).date(), now=now)
    db.session.commit()
    return "、".join(f"{RULE_LABELS[RuleCode(code)]} {n} 条" for code, n in sorted(created.items())) or None
