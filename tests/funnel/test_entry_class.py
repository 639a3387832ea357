"""Every entry into 认定 is classified first_time / repeat / restored on its history row, by move_firm."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from pipeline.domain.stages import EntryClass, Stage
from pipeline.funnel.models import StageMove
from pipeline.funnel.services import move_firm


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=2, tzinfo=UTC)  # 10:00 in Xinchang


def certified_classes(db, record) -> list[str]:
    return list(db.session.scalars(select(StageMove.entry_class).where(
        StageMove.firm_track_id == record.id, StageMove.to_stage == Stage.CERTIFIED).order_by(StageMove.id)))


def walk_to_cultivating(firm, track, day):
    for stage in (Stage.SCREENING, Stage.POOL, Stage.CULTIVATING):
        record = move_firm((firm, track), stage, actor=None, now=at(day)).firm_track
    return record


def test_hnte_first_certification_then_recertification_after_expiry_is_repeat(db, make_firm, track_by_code):
    hnte = track_by_code("hnte")
    record = walk_to_cultivating(make_firm(), hnte, "2022-03-01")
    first = move_firm(record, Stage.CERTIFIED, actor=None, now=at("2022-12-01"), certificate_number="GR202233000001",
                      issued_on=date(2022, 12, 1))
    assert first.entry_class == EntryClass.FIRST_TIME
    move_firm(record, Stage.EXPIRED, actor=None, now=at("2025-12-02"), note="到期")
    again = move_firm(record, Stage.CERTIFIED, actor=None, now=at("2025-12-20"), certificate_number="GR202533000777",
                      issued_on=date(2025, 12, 19))
    assert again.entry_class == EntryClass.REPEAT
    assert certified_classes(db, record) == ["first_time", "repeat"]


def test_hnte_recertified_in_its_expiry_year_while_still_valid_is_repeat(db, make_firm, track_by_code):
    hnte = track_by_code("hnte")
    record = walk_to_cultivating(make_firm(), hnte, "2023-01-05")
    move_firm(record, Stage.CERTIFIED, actor=None, now=at("2023-11-01"), certificate_number="GR202333000002",
              issued_on=date(2023, 11, 1))
    again = move_firm(record, Stage.CERTIFIED, actor=None, now=at("2026-10-20"), certificate_number="GR202633000002",
                      issued_on=date(2026, 10, 20))
    assert again.entry_class == EntryClass.REPEAT


def test_tech_sme_yearly_reregistration_is_repeat(db, make_firm, track_by_code):
    tech = track_by_code("tech_sme")
    record = walk_to_cultivating(make_firm(), tech, "2025-03-01")
    first = move_firm(record, Stage.CERTIFIED, actor=None, now=at("2025-07-01"), certificate_number="20253306000001",
                      issued_on=date(2025, 7, 1))
    move_firm(record, Stage.EXPIRED, actor=None, now=at("2026-01-01"), note="到期")
    again = move_firm(record, Stage.CERTIFIED, actor=None, now=at("2026-07-01"), certificate_number="20263306000001",
                      issued_on=date(2026, 7, 1))
    assert (first.entry_class, again.entry_class) == (EntryClass.FIRST_TIME, EntryClass.REPEAT)


def test_the_same_certificate_given_back_after_a_mistaken_exit_is_restored(db, make_firm, track_by_code):
    hnte = track_by_code("hnte")
    record = walk_to_cultivating(make_firm(), hnte, "2026-01-05")
    move_firm(record, Stage.CERTIFIED, actor=None, now=at("2026-03-01"), certificate_number="GR202633000003",
              issued_on=date(2026, 3, 1))
    move_firm(record, Stage.REMOVED, actor=None, now=at("2026-04-01"), reason_code="other", note="误操作")
    back = move_firm(record, Stage.CERTIFIED, actor=None, now=at("2026-04-02"), note="撤销误操作",
                     certificate_number="gr202633000003", issued_on=date(2026, 3, 1))
    assert back.entry_class == EntryClass.RESTORED
    assert certified_classes(db, record) == ["first_time", "restored"]


def test_other_moves_carry_no_class_and_the_class_never_changes(db, make_firm, track_by_code):
    record = walk_to_cultivating(make_firm(), track_by_code("hnte"), "2026-01-05")
    moves = list(db.session.scalars(select(StageMove).where(StageMove.firm_track_id == record.id)))
    assert {move.entry_class for move in moves} == {None}
    move = move_firm(record, Stage.CERTIFIED, actor=None, now=at("2026-03-01"), certificate_number="GR202633000004",
                     issued_on=date(2026, 3, 1))
    db.session.commit()
    move.entry_class = EntryClass.REPEAT.value
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(StageMove, move.id).entry_class == "first_time"
