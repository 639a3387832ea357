"""The 高企 re-certification cycle: 重新认定申报中 / 未通过 keep the valid certificate; 本年到期高企; batch reminders."""

import re
from datetime import date

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.dashboard.figures import build_track_figures
from pipeline.domain.deadlines import RecertBatch, recert_batch
from pipeline.domain.stages import EntryClass, Stage
from pipeline.funnel.expiry import expire_records
from pipeline.funnel.models import FirmTrack, StageMove
from pipeline.funnel.recert import list_expiring_this_year
from pipeline.funnel.services import move_firm
from pipeline.i18n import local_today
from pipeline.reminders.models import Reminder
from pipeline.reminders.services import send_due_reminders
from tests.dashboard.conftest import ZONE
from tests.funnel.test_expiry import at, certified


def test_applying_and_failing_keep_the_certificate_then_it_expires_normally(db, make_firm, make_user, track_by_code):
    officer = make_user(Role.OFFICER)
    record = certified(make_firm(), track_by_code("hnte"), "2023-10-20", "GR202333000001")  # valid to 2026-10-20
    applying = move_firm(record, Stage.RECERT_APPLYING, actor=officer, now=at("2026-04-20"))
    failed = move_firm(record, Stage.RECERT_FAILED, actor=officer, now=at("2026-09-01"), note="专家评审未通过")
    assert [(m.from_stage, m.to_stage, m.expires_on) for m in (applying, failed)] == [
        (Stage.CERTIFIED, Stage.RECERT_APPLYING, date(2026, 10, 20)),
        (Stage.RECERT_APPLYING, Stage.RECERT_FAILED, date(2026, 10, 20))]
    assert (record.certificate_number, record.expires_on) == ("GR202333000001", date(2026, 10, 20))
    figures = build_track_figures(2026, today=date(2026, 9, 2), zone=ZONE)["hnte"]
    assert (figures.valid_now, figures.valid_at_end) == (1, 1)  # still valid while failing
    assert expire_records(date(2026, 10, 20), now=at("2026-10-20")) == 0
    assert expire_records(date(2026, 10, 21), now=at("2026-10-21")) == 1
    assert record.stage is Stage.EXPIRED
    assert build_track_figures(2026, today=date(2026, 10, 21), zone=ZONE)["hnte"].valid_now == 0


def test_a_successful_application_is_a_repeat_recognition(db, make_firm, track_by_code):
    record = certified(make_firm(), track_by_code("hnte"), "2023-10-20", "GR202333000002")
    move_firm(record, Stage.RECERT_APPLYING, actor=None, now=at("2026-04-20"))
    again = move_firm(record, Stage.CERTIFIED, actor=None, now=at("2026-10-10"), certificate_number="GR202633000002",
                      issued_on=date(2026, 10, 10))
    assert again.entry_class == EntryClass.REPEAT and record.expires_on == date(2029, 10, 10)


def test_expiring_list_and_batch_reminders_of_the_expiry_year(db, make_firm, make_user, track_by_code):
    hnte = track_by_code("hnte")
    officer = make_user(Role.OFFICER, email="wang@kjj.example.com")
    waiting = certified(make_firm(name="待申报企业", officer=officer), hnte, "2023-10-20", "GR202333000003")
    applying = certified(make_firm(name="已申报企业", officer=officer), hnte, "2023-11-02", "GR202333000004")
    move_firm(applying, Stage.RECERT_APPLYING, actor=None, now=at("2026-04-01"))
    certified(make_firm(name="明年到期企业"), hnte, "2024-03-01", "GR202433000005")
    rows = list_expiring_this_year(date(2026, 5, 1))
    assert [(r.name, r.deadline) for r in rows] == [("待申报企业", RecertBatch(date(2026, 7, 31), "open")),
                                                    ("已申报企业", RecertBatch(date(2026, 4, 30), "applied"))]
    # this year's batches have closed: the waiting firm missed the last one
    assert list_expiring_this_year(date(2026, 8, 1))[0].deadline == RecertBatch(date(2026, 7, 31), "missed")
    created = send_due_reminders(date(2026, 7, 1), now=at("2026-07-01"))  # 30 days before 07-31
    assert created["hnte_recert"] == 2
    reminders = list(db.session.scalars(select(Reminder).where(Reminder.rule_code == "hnte_recert")))
    assert {r.firm_id for r in reminders} == {waiting.firm_id}
    assert {(r.recipient_firm_id is not None, r.recipient_user_id) for r in reminders} == {(True, None),
                                                                                        (False, officer.id)}
    assert send_due_reminders(date(2026, 7, 1), now=at("2026-07-01"))["hnte_recert"] == 0


def test_the_page_lists_this_years_expiring_hnte_with_the_mark_link(client, login_as, db, make_firm, track_by_code):
    today = local_today()
    record = FirmTrack(firm=make_firm(name="今年到期企业"), track=track_by_code("hnte"), stage=Stage.CERTIFIED,
                       certificate_number=f"GR{today.year - 3}33000006", certified_on=date(today.year - 3, 12, 31),
                       expires_on=date(today.year, 12, 31))
    db.session.add(record)
    db.session.commit()
    login_as(Role.OFFICER)
    page = client.get("/funnel/recert").get_data(as_text=True)
    assert "今年到期企业" in page and "to=recert_applying" in page
    login_as(Role.FIRM)
    assert client.get("/funnel/recert").status_code == 404
    assert db.session.scalar(select(StageMove.id).limit(1)) is None  # a page never moves anything


def test_compliance_watches_two_missed_reports_and_changes_to_report(db, make_firm, track_by_code):
    from pipeline.firms.models import FirmEdit
    from pipeline.funnel.recert import list_cancellation_risks, list_changes_to_report
    from pipeline.reminders.models import AnnualReportFiling

    hnte = track_by_code("hnte")
    missing = certified(make_firm(name="两年未报企业"), hnte, "2023-11-20", "GR202333000007")
    filed = certified(make_firm(name="按时填报企业"), hnte, "2023-11-20", "GR202333000008")
    db.session.add(AnnualReportFiling(firm_id=filed.firm_id, year=2026))
    certified(make_firm(name="新认定企业"), hnte, "2025-03-01", "GR202533000009")  # owed only 2026's report
    assert [row.name for row in list_cancellation_risks(date(2026, 6, 1))] == ["两年未报企业"]
    # before 31 May 2026 has passed, the two years are 2024 and 2025: 2026's filing does not count yet
    assert [row.name for row in list_cancellation_risks(date(2026, 5, 31))] == ["两年未报企业", "按时填报企业"]
    db.session.add(FirmEdit(firm_id=missing.firm_id, at=at("2026-09-10"), field="name", old_value="两年未报企业",
                            new_value="新名称企业"))
    db.session.add(FirmEdit(firm_id=missing.firm_id, at=at("2026-09-10"), field="contact_phone", old_value="1",
                            new_value="2"))
    [change] = list_changes_to_report(date(2026, 10, 1))
    assert (change.field, change.detail, change.due) == ("企业名称", "两年未报企业 → 新名称企业", date(2026, 12, 10))
    assert list_changes_to_report(date(2026, 12, 11)) == []


def test_each_firm_sees_its_own_batch_of_its_expiry_year(db, make_firm, track_by_code):
    hnte = track_by_code("hnte")
    early = certified(make_firm(name="一月到期企业"), hnte, "2023-01-20", "GR202333000010")  # expired 2026-01-20
    move_firm(early, Stage.EXPIRED, actor=None, now=at("2026-01-21"), note="到期")
    applied = certified(make_firm(name="一批申报企业"), hnte, "2023-11-02", "GR202333000011")
    move_firm(applied, Stage.RECERT_APPLYING, actor=None, now=at("2026-03-10"))
    failed = certified(make_firm(name="一批未通过企业"), hnte, "2023-12-01", "GR202333000012")
    move_firm(failed, Stage.RECERT_APPLYING, actor=None, now=at("2026-04-10"))
    move_firm(failed, Stage.RECERT_FAILED, actor=None, now=at("2026-06-20"))
    certified(make_firm(name="未申报企业"), hnte, "2023-12-05", "GR202333000013")
    deadlines = {r.name: r.deadline for r in list_expiring_this_year(date(2026, 6, 30))}
    assert deadlines == {"一月到期企业": RecertBatch(date(2026, 7, 31), "open"),  # expired, may still apply
                         "一批申报企业": RecertBatch(date(2026, 4, 30), "applied"),
                         "一批未通过企业": RecertBatch(date(2026, 7, 31), "open"),  # failed the first, the second is open
                         "未申报企业": RecertBatch(date(2026, 7, 31), "open")}
    later = {r.name: r.deadline for r in list_expiring_this_year(date(2026, 9, 1))}
    assert later["一批未通过企业"] == RecertBatch(date(2026, 7, 31), "closed")
    assert later["未申报企业"] == later["一月到期企业"] == RecertBatch(date(2026, 7, 31), "missed")
    assert later["一批申报企业"] == RecertBatch(date(2026, 4, 30), "applied")


def test_recert_batch_without_a_calendar_and_after_the_last_batch():
    assert recert_batch([], date(2026, 5, 1)) is None
    batches = [date(2026, 7, 31), date(2026, 4, 30)]
    assert recert_batch(batches, date(2026, 4, 30)) == RecertBatch(date(2026, 4, 30), "open")  # the deadline day
    assert recert_batch(batches, date(2026, 5, 1), applied_on=date(2026, 8, 2)) == RecertBatch(date(2026, 7, 31),
                                                                                               "applied")


def test_the_page_shows_each_rows_own_deadline(client, login_as, db, make_firm, track_by_code):
    from pipeline.reminders.models import HnteBatch, ProgramYear

    today = local_today()
    if db.session.get(ProgramYear, (today.year, 1)) is None:
        db.session.add(ProgramYear(year=today.year, tech_sme_opens_on=date(today.year, 6, 1)))
    for due in (date(today.year, 1, 1), date(today.year, 12, 31)):
        if db.session.scalar(select(HnteBatch.id).where(HnteBatch.due_on == due)) is None:
            db.session.add(HnteBatch(year=today.year, due_on=due))
    hnte = track_by_code("hnte")
    for name, stage in (("申报中企业", Stage.RECERT_APPLYING), ("待申报企业", Stage.CERTIFIED)):
        db.session.add(FirmTrack(firm=make_firm(name=name), track=hnte, stage=stage,
                                 certificate_number=f"GR{today.year - 3}33000020", expires_on=date(today.year, 12, 31),
                                 certified_on=date(today.year - 3, 12, 31)))
    db.session.commit()
    login_as(Role.OFFICER)
    page = client.get("/funnel/recert").get_data(as_text=True)
    cells = re.findall(r'<td class="text-nowrap recert-batch">(.*?)</td>', page, re.S)
    assert len(cells) == 2
    assert any("已申报" in c and f"{today.year}-12-31" in c for c in cells)  # marked today: the batch closing next
    assert any("还有" in c and "已申报" not in c for c in cells)  # the waiting firm: the same batch, still open
