"""The rendered text of every reminder mail, compared with stored files (UPDATE_SNAPSHOTS=1 rewrites them)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.domain.reminders import RuleCode
from pipeline.domain.stages import Stage
from pipeline.mail.models import OutboxMessage
from pipeline.reminders.services import send_due_reminders
from pipeline.reminders.verdicts import register_hnte_verdict_provider

SNAPSHOTS = Path(__file__).parent / "snapshots"
QUIET = datetime(2026, 7, 1, 4, 0, tzinfo=UTC)


def _firm(make_firm, officer):
    return make_firm(name="新昌县天姥精密轴承有限公司", contact_name="张伟", contact_email="zhangwei@example.com",
                     officer=officer)


def hnte_expiry(make_firm, officer, put_on_track, app):
    put_on_track(_firm(make_firm, officer), "hnte", Stage.CERTIFIED, certificate_number="GR202433001234",
                 certified_on=date(2024, 12, 1), expires_on=date(2027, 12, 1))
    return date(2027, 6, 4)  # 180 days before


def hnte_annual_report(make_firm, officer, put_on_track, app):
    put_on_track(_firm(make_firm, officer), "hnte", Stage.CERTIFIED, certified_on=date(2024, 12, 1))
    return date(2027, 5, 1)


def tech_sme_evaluation(make_firm, officer, put_on_track, app):
    put_on_track(_firm(make_firm, officer), "tech_sme", Stage.POOL, certificate_number="20253306240100012")
    return date(2026, 8, 17)


def stale_digest(make_firm, officer, put_on_track, app):
    put_on_track(_firm(make_firm, officer), "tech_sme", Stage.POOL, last_activity_at=QUIET)
    second = make_firm(name="浙江沃洲纺织机械有限公司", officer=officer)
    put_on_track(second, "hnte", Stage.SCREENING, last_activity_at=QUIET)
    return date(2026, 11, 2)


def pause_ended(make_firm, officer, put_on_track, app):
    put_on_track(_firm(make_firm, officer), "hnte", Stage.PAUSED, paused_until=date(2026, 7, 15),
                 pause_reason="企业厂房搬迁，暂停申报准备")
    return date(2026, 7, 15)


def hnte_batch(make_firm, officer, put_on_track, app):
    firm = _firm(make_firm, officer)
    put_on_track(firm, "hnte", Stage.CULTIVATING)
    register_hnte_verdict_provider(app, lambda ids, today: {firm.id: "possible"})
    return date(2026, 7, 1)


def cert_expired(make_firm, officer, put_on_track, app):
    put_on_track(_firm(make_firm, officer), "hnte", Stage.EXPIRED, certificate_number="GR202333001234",
                 certified_on=date(2023, 6, 30), expires_on=date(2026, 6, 30))
    return date(2026, 7, 1)  # the day the expiry job moved it


def hnte_recert(make_firm, officer, put_on_track, app):
    put_on_track(_firm(make_firm, officer), "hnte", Stage.CERTIFIED, certificate_number="GR202333001234",
                 certified_on=date(2023, 11, 20), expires_on=date(2026, 11, 20))
    return date(2026, 7, 1)  # 30 days before the batch of 2026-07-31


SCENARIOS = {RuleCode(f.__name__): f for f in (hnte_expiry, hnte_annual_report, tech_sme_evaluation, stale_digest,
                                               pause_ended, hnte_batch, cert_expired, hnte_recert)}


def _compare(path: Path, actual: str) -> None:
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not os.environ.get("UPDATE_SNAPSHOTS"):
            pytest.fail(f"snapshot {path.name} was missing and has been written: check it and run again")
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} changed (UPDATE_SNAPSHOTS=1 to accept)"


@pytest.mark.parametrize("rule", list(RuleCode), ids=str)
def test_reminder_mail_text_and_html(app, db, make_firm, make_user, put_on_track, rule):
    officer = make_user("officer", display_name="王科员", email="wang@kjj.example.com")
    try:
        day = SCENARIOS[rule](make_firm, officer, put_on_track, app)
        assert send_due_reminders(day, now=datetime.combine(day, datetime.min.time(), tzinfo=UTC))[rule.value] >= 1
    finally:
        register_hnte_verdict_provider(app, None)
    message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id).limit(1))
    to = "、".join(f"{name} <{address}>" for name, address in message.to)
    _compare(SNAPSHOTS / f"{rule.value}.txt", f"收件人：{to}\n主题：{message.subject}\n\n{message.text_body}")
    _compare(SNAPSHOTS / f"{rule.value}.html", message.html_body)
