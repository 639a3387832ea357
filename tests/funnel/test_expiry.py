"""Automatic expiry: expired records move to 已过期 through move_firm, once, and the firm and officer are told."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.funnel.expiry import expire_records
from pipeline.funnel.models import FirmTrack, StageMove
from pipeline.funnel.services import move_firm
from pipeline.mail.models import OutboxMessage
from pipeline.reminders.models import Reminder
from pipeline.reminders.services import send_due_reminders
from pipeline.scheduler import JOBS

NOW = datetime(2027, 1, 1, 16, 10, tzinfo=UTC)  # 00:10 on 2 January in Xinchang: when the job runs


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=2, tzinfo=UTC)


def certified(firm, track, day: str, number: str) -> FirmTrack:
    for stage in (Stage.SCREENING, Stage.POOL, Stage.CULTIVATING):
        move_firm((firm, track), stage, actor=None, now=at(day))
    return move_firm((firm, track), Stage.CERTIFIED, actor=None, now=at(day), certificate_number=number,
                     issued_on=date.fromisoformat(day)).firm_track


def expiry_moves(db) -> list[StageMove]:
    return list(db.session.scalars(select(StageMove).where(StageMove.to_stage == Stage.EXPIRED)
                                   .order_by(StageMove.id)))


def test_tech_sme_expires_on_1_january_and_hnte_the_day_after_its_date(db, make_firm, track_by_code):
    sme = certified(make_firm(), track_by_code("tech_sme"), "2025-07-01", "20253306000001")
    hnte = certified(make_firm(), track_by_code("hnte"), "2023-03-01", "GR202333000001")  # valid to 2026-03-01
    assert expire_records(date(2025, 12, 31), now=NOW) == 0
    assert expire_records(date(2026, 1, 1), now=NOW) == 1
    assert (sme.stage, hnte.stage) == (Stage.EXPIRED, Stage.CERTIFIED)
    assert expire_records(date(2026, 3, 1), now=NOW) == 0
    assert expire_records(date(2026, 3, 2), now=NOW) == 1
    assert hnte.stage is Stage.EXPIRED and hnte.expires_on == date(2026, 3, 1)
    moves = expiry_moves(db)
    assert [(m.firm_track_id, m.from_stage, m.actor_id, m.note) for m in moves] == [
        (sme.id, Stage.CERTIFIED, None, "到期"), (hnte.id, Stage.CERTIFIED, None, "到期")]


def test_running_twice_changes_nothing(db, make_firm, track_by_code):
    certified(make_firm(), track_by_code("tech_sme"), "2025-07-01", "20253306000002")
    assert expire_records(date(2026, 1, 2), now=NOW) == 1
    db.session.commit()
    assert expire_records(date(2026, 1, 2), now=NOW) == 0
    assert db.session.scalar(select(func.count()).select_from(StageMove).where(
        StageMove.to_stage == Stage.EXPIRED)) == 1


def test_cli_prints_how_many_moved_and_refuses_a_bad_date(runner, db, make_firm, track_by_code):
    certified(make_firm(), track_by_code("hnte"), "2023-03-01", "GR202333000003")
    certified(make_firm(), track_by_code("tech_sme"), "2025-07-01", "20253306000003")
    db.session.commit()
    result = runner.invoke(args=["funnel", "expire", "--today", "2026-03-02"])
    assert result.exit_code == 0 and "移至“已过期” 2 条" in result.output
    assert "移至“已过期” 0 条" in runner.invoke(args=["funnel", "expire", "--today", "2026-03-02"]).output
    bad = runner.invoke(args=["funnel", "expire", "--today", "2026-02-30"])
    assert bad.exit_code == 2 and "日期格式应为 YYYY-MM-DD" in bad.output


def test_the_firm_and_its_officer_get_the_expiry_notice_once(db, make_firm, make_user, track_by_code):
    officer = make_user(Role.OFFICER, email="wang@kjj.example.com")
    firm = make_firm(officer=officer, contact_email="boss@example.com")
    certified(firm, track_by_code("tech_sme"), "2025-07-01", "20253306000004")
    expire_records(date(2026, 1, 1), now=NOW)
    created = send_due_reminders(date(2026, 1, 1), now=NOW)
    assert created["cert_expired"] == 2
    reminders = list(db.session.scalars(select(Reminder).where(Reminder.rule_code == "cert_expired")))
    assert {(r.recipient_firm_id, r.recipient_user_id) for r in reminders} == {(firm.id, None), (None, officer.id)}
    assert all("科技型中小企业资格已于2025-12-31到期" in r.title for r in reminders)
    addresses = {m.to[0][1] for m in db.session.scalars(select(OutboxMessage))}
    assert addresses == {"boss@example.com", "wang@kjj.example.com"}
    assert send_due_reminders(date(2026, 1, 2), now=NOW)["cert_expired"] == 0


def test_the_daily_job_runs_before_the_reminders():
    ids = [job.id for job in JOBS]
    assert ids.index("expire_records") < ids.index("daily_reminders")
