"""move_firm(): the one service every move goes through."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack, PoolCounter, StageMove
from pipeline.funnel.services import (
    RecordChanged,
    TransitionRefused,
    add_firm_to_track,
    bulk_move,
    list_stale,
    move_firm,
    record_service,
)
from pipeline.signals import stage_changed

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Xinchang


def moves_of(db, record):
    return list(db.session.scalars(select(StageMove).where(StageMove.firm_track_id == record.id)
                                   .order_by(StageMove.id)))


def test_entering_screening_creates_the_record_and_its_first_history_row(db, make_firm, make_user, track_by_code):
    officer, firm = make_user(Role.OFFICER), make_firm()
    move = add_firm_to_track(firm, track_by_code("tech_sme"), actor=officer, now=NOW, note="乡镇推荐")
    record = move.firm_track
    assert (record.stage, record.stage_entered_at, record.last_activity_at) == (Stage.SCREENING, NOW, NOW)
    assert (move.from_stage, move.to_stage, move.actor, move.note, move.moved_at) == (
        None, Stage.SCREENING, officer, "乡镇推荐", NOW)
    assert record.version == 1 and record.pool_number is None


def test_pool_numbers_count_per_track_and_year_and_are_never_reused(db, make_firm, track_by_code):
    tech, hnte = track_by_code("tech_sme"), track_by_code("hnte")
    firms = [make_firm() for _ in range(3)]
    for firm in firms:
        move_firm((firm, tech), Stage.SCREENING, actor=None, now=NOW)
    numbers = [move_firm((firm, tech), Stage.POOL, actor=None, now=NOW).pool_number for firm in firms[:2]]
    assert numbers == ["科小-2026-0001", "科小-2026-0002"]
    move_firm((firms[0], hnte), Stage.SCREENING, actor=None, now=NOW)
    assert move_firm((firms[0], hnte), Stage.POOL, actor=None, now=NOW).pool_number == "高企-2026-0001"
    next_year = NOW + timedelta(days=365)
    assert move_firm((firms[2], tech), Stage.POOL, actor=None, now=next_year).pool_number == "科小-2027-0001"
    # Leaving and coming back gives a new number; the old one stays in the history and is never given again.
    record = move_firm((firms[0], tech), Stage.REMOVED, actor=None, now=NOW, reason_code="withdrawn").firm_track
    move_firm(record, Stage.SCREENING, actor=None, now=NOW)
    again = move_firm(record, Stage.POOL, actor=None, now=NOW)
    assert again.pool_number == record.pool_number == "科小-2026-0003"
    assert [m.pool_number for m in moves_of(db, record) if m.pool_number] == ["科小-2026-0001", "科小-2026-0003"]
    assert db.session.get(PoolCounter, (1, tech.id, 2026)).last_value == 3  # county 1, the installation's


def test_certification_stores_number_issue_date_and_expiry(db, make_firm, place_firm):
    record = place_firm(make_firm(), "hnte", Stage.CULTIVATING)
    move = move_firm(record, Stage.CERTIFIED, actor=None, now=NOW, certificate_number="GR202633000777",
                     issued_on=date(2026, 3, 1))
    assert (record.certificate_number, record.certified_on, record.expires_on) == (
        "GR202633000777", date(2026, 3, 1), date(2029, 3, 1))
    assert (move.certificate_number, move.issued_on, move.expires_on) == (
        "GR202633000777", date(2026, 3, 1), date(2029, 3, 1))


def test_a_refused_move_changes_nothing(db, make_firm, make_user, place_firm):
    record = place_firm(make_firm(), "tech_sme", Stage.SCREENING)
    before = (record.stage, record.version, len(moves_of(db, record)))
    with pytest.raises(TransitionRefused, match="管理员"):
        move_firm(record, Stage.CULTIVATING, actor=make_user(Role.OFFICER), now=NOW, note="想跳过")
    db.session.commit()
    db.session.expire_all()
    assert (record.stage, record.version, len(moves_of(db, record))) == before
    assert db.session.scalar(select(func.count()).select_from(PoolCounter)) == 0


def test_admin_may_skip_with_a_reason_and_the_history_says_so(db, make_firm, make_user, place_firm):
    record = place_firm(make_firm(), "tech_sme", Stage.SCREENING)
    move = move_firm(record, Stage.CULTIVATING, actor=make_user(Role.ADMIN), now=NOW, note="已由市局直接认定入库")
    assert move.skipped and record.stage is Stage.CULTIVATING and record.pool_number.startswith("科小-")


def test_pause_and_resume_restore_the_stage_and_clear_the_pause(db, make_firm, place_firm):
    record = place_firm(make_firm(), "tech_sme", Stage.POOL)
    today = date(2026, 3, 10)
    move_firm(record, Stage.PAUSED, actor=None, now=NOW, today=today, note="搬迁", resume_on=date(2026, 6, 1))
    assert (record.paused_from, record.paused_until, record.pause_reason) == (Stage.POOL, date(2026, 6, 1), "搬迁")
    pool_number = record.pool_number
    move_firm(record, Stage.POOL, actor=None, now=NOW, today=today)
    assert (record.stage, record.paused_from, record.paused_until, record.pause_reason) == (Stage.POOL, None, None, "")
    assert record.pool_number == pool_number


def test_revoked_registration_blocks_reentry_this_year(db, make_firm, place_firm):
    record = place_firm(make_firm(), "tech_sme", Stage.CERTIFIED)
    move_firm(record, Stage.REMOVED, actor=None, now=NOW, today=date(2026, 5, 1), reason_code="revoked")
    assert record.revoked_year == 2026 and record.exit_reason == "revoked"
    with pytest.raises(TransitionRefused, match="当年不得重新进入"):
        move_firm(record, Stage.SCREENING, actor=None, now=NOW, today=date(2026, 12, 31))
    move_firm(record, Stage.SCREENING, actor=None, now=NOW, today=date(2027, 1, 2))
    assert record.stage is Stage.SCREENING and record.exit_reason is None


def test_expected_version_mismatch_is_refused_as_changed(db, make_firm, place_firm):
    record = place_firm(make_firm(), "tech_sme", Stage.SCREENING)
    with pytest.raises(RecordChanged, match="刚被其他人修改") as changed:
        move_firm(record, Stage.POOL, actor=None, now=NOW, expected_version=record.version - 1)
    assert not changed.value.flushed
    firm = make_firm()
    with pytest.raises(RecordChanged):  # 0 means "not on the track" when the user looked
        move_firm((firm, record.track), Stage.SCREENING, actor=None, now=NOW, expected_version=3)
    assert move_firm(record, Stage.POOL, actor=None, now=NOW, expected_version=record.version).to_stage is Stage.POOL


def test_history_rows_cannot_be_updated_or_deleted(db, make_firm, place_firm):
    record = place_firm(make_firm(), "tech_sme", Stage.POOL)
    move = moves_of(db, record)[0]
    move.note = "改写历史"
    with pytest.raises(PermissionError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(StageMove, move.id))
    with pytest.raises(PermissionError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert len(moves_of(db, record)) == 2


def test_stage_changed_is_sent_after_the_flush_with_the_move(db, make_firm, make_user, track_by_code):
    received = []

    def receiver(sender, **kw):
        received.append((sender, kw))

    stage_changed.connect(receiver)
    try:
        officer = make_user(Role.OFFICER)
        move = move_firm((make_firm(), track_by_code("tech_sme")), Stage.SCREENING, actor=officer, now=NOW)
    finally:
        stage_changed.disconnect(receiver)
    [(sender, kw)] = received
    assert sender is move.firm_track and kw == {"move": move, "actor": officer, "now": NOW}
    assert move.id is not None and sender.id is not None


def test_bulk_move_moves_the_valid_and_lists_the_refused_with_reasons(db, make_firm, place_firm):
    ready = [place_firm(make_firm(), "tech_sme", Stage.SCREENING) for _ in range(2)]
    cultivating = place_firm(make_firm(), "tech_sme", Stage.CULTIVATING)
    changed = place_firm(make_firm(), "tech_sme", Stage.SCREENING)
    items = [(r, r.version) for r in ready] + [(cultivating, cultivating.version), (changed, changed.version - 1)]
    result = bulk_move(items, Stage.POOL, actor=None, now=NOW)
    assert [m.firm_track for m in result.moved] == ready
    numbers = [m.pool_number for m in result.moved]
    assert len(set(numbers)) == 2 and all(n.startswith("科小-2026-") for n in numbers)
    refused = {record.id: str(reason) for record, reason in result.refused}
    assert refused == {cultivating.id: "不能从“培育”直接移到“入库”。",
                       changed.id: "该记录刚被其他人修改过，您的操作未执行。请查看最新状态后重试。"}
    assert changed.stage is Stage.SCREENING


def test_record_service_restarts_the_stale_clock_without_a_new_version(db, make_firm, make_user, place_firm):
    long_ago = NOW - timedelta(days=100)
    record = place_firm(make_firm(), "tech_sme", Stage.POOL, now=long_ago)  # 入库: stale after 90 days
    assert list_stale(now=NOW) == [record]
    version = record.version
    record_service(record.firm, served_on=date(2026, 3, 9), kind="visit", note="走访", actor=make_user(), now=NOW)
    db.session.commit()
    assert list_stale(now=NOW) == []
    assert record.version == version
    assert record.last_activity_at == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)


def test_an_older_service_does_not_move_the_clock_back(db, make_firm, place_firm):
    record = place_firm(make_firm(), "tech_sme", Stage.POOL, now=NOW)
    record_service(record.firm, served_on=date(2025, 1, 1), kind="visit", note="补录", actor=None, now=NOW)
    assert record.last_activity_at == NOW


def test_list_stale_respects_thresholds_pause_and_town_scope(db, make_firm, make_user, make_town, place_firm):
    old = NOW - timedelta(days=200)
    north, south = make_town("儒岙镇"), make_town("回山镇")
    stale = place_firm(make_firm(town=north), "tech_sme", Stage.CULTIVATING, now=old)
    place_firm(make_firm(town=south), "tech_sme", Stage.PAUSED, now=old)
    place_firm(make_firm(town=south), "tech_sme", Stage.CERTIFIED, now=old)
    fresh = place_firm(make_firm(town=south), "tech_sme", Stage.CULTIVATING, now=NOW - timedelta(days=179))
    assert list_stale(now=NOW) == [stale]
    assert list_stale(now=NOW + timedelta(days=1)) == [stale]  # quiet exactly 180 days: not yet
    assert list_stale(now=NOW + timedelta(days=2)) == [stale, fresh]
    limited = make_user(Role.OFFICER, towns=[south])
    assert list_stale(now=NOW, for_user=limited) == []


def test_move_firm_for_a_firm_on_the_track_finds_its_record(db, make_firm, track_by_code):
    firm, tech = make_firm(), track_by_code("tech_sme")
    move_firm((firm, tech), Stage.SCREENING, actor=None, now=NOW)
    move_firm((firm, tech), Stage.POOL, actor=None, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(FirmTrack)) == 1


def test_falsified_data_bars_tech_sme_for_three_years_and_other_tracks_not_at_all(db, make_firm, place_firm):
    firm = make_firm()
    record = place_firm(firm, "tech_sme", Stage.CERTIFIED)
    move_firm(record, Stage.REMOVED, actor=None, now=NOW, today=date(2026, 5, 1), reason_code="falsified")
    assert (record.revoked_year, record.exit_reason) == (2026, "falsified")
    with pytest.raises(TransitionRefused, match="三年内（至2028年底）"):
        move_firm(record, Stage.SCREENING, actor=None, now=NOW, today=date(2028, 12, 31))
    move_firm(record, Stage.SCREENING, actor=None, now=NOW, today=date(2029, 1, 2))
    hnte = place_firm(firm, "hnte", Stage.CULTIVATING)
    move_firm(hnte, Stage.REMOVED, actor=None, now=NOW, today=date(2026, 5, 1), reason_code="revoked")
    move_firm(hnte, Stage.SCREENING, actor=None, now=NOW, today=date(2026, 5, 2))  # the 科小 ban is 科小's only
    assert hnte.stage is Stage.SCREENING


def test_dishonesty_has_its_own_exit_reason(db, make_firm, place_firm):
    record = place_firm(make_firm(), "hnte", Stage.CERTIFIED)
    move = move_firm(record, Stage.REMOVED, actor=None, now=NOW, today=date(2026, 5, 1), reason_code="dishonest")
    assert (move.reason_code, record.exit_reason, record.revoked_year) == ("dishonest", "dishonest", None)
