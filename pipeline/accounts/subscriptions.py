"""Who receives the monthly funnel report: users who subscribed in the app (每月接收漏斗报告) and, as an extra list,
PIPELINE_LEADER_EMAILS."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.extensions import db


def report_recipients(extra: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(name, address) of every active subscribed user with an e-mail, then the extra addresses; each address once."""
    users = db.session.scalars(select(User).where(User.reports_monthly.is_(True), User.active.is_(True),
                                                  User.email != "").order_by(User.username))
    recipients, seen = [], set()
    for name, address in [(user.label, user.email.strip()) for user in users] + [("", a.strip()) for a in extra]:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            recipients.append((name, address))
    return recipients
