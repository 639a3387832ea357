"""What firms read about themselves, the next deadline of a record, and the stale rule (no app)."""

from datetime import date, timedelta

import pytest

from pipeline.domain.stages import Stage, TrackRule, is_stale, next_deadline, public_status

HNTE = TrackRule(code="hnte", short_name="高企")
TECH = TrackRule(code="tech_sme", short_name="科小", validity_rule="calendar_year")
TODAY = date(2026, 11, 28)


def text(status):
    return status.text % (status.params or {})


@pytest.mark.parametrize(("stage", "kw", "expected"), [
    (Stage.SCREENING, {}, "已列入遴选名单，待入库"),
    (Stage.POOL, {"pool_number": "科小-2026-0001"}, "已入库（编号 科小-2026-0001），待开展培育"),
    (Stage.CULTIVATING, {}, "已入库，培育中"),
    (Stage.CERTIFIED, {"expires_on": date(2026, 12, 31)}, "已认定，有效期至 2026-12-31"),
    (Stage.FAILED, {}, "本次认定未通过，继续培育"),
    (Stage.EXPIRED, {"expires_on": date(2026, 1, 1)}, "资格已于 2026-01-01 到期，可重新申报"),
    (Stage.PAUSED, {"paused_until": date(2027, 3, 1)}, "培育暂缓，预计 2027-03-01 恢复"),
    (Stage.REMOVED, {}, "已退出培育库"),
    (None, {}, "尚未列入"),
])
def test_public_status_speaks_plainly(stage, kw, expected):
    assert text(public_status(stage, **kw)) == expected


def test_public_status_never_shows_internal_codes():
    for stage in Stage:
        assert stage.value not in text(public_status(stage))


def test_next_deadline_of_a_certified_hnte_is_the_annual_report_or_the_expiry():
    deadline = next_deadline(HNTE, Stage.CERTIFIED, today=TODAY, expires_on=date(2028, 12, 1),
                             certified_on=date(2025, 12, 1))
    assert (deadline.label, deadline.due_on) == ("年度发展报告", date(2027, 5, 31))
    deadline = next_deadline(HNTE, Stage.CERTIFIED, today=TODAY, expires_on=date(2026, 12, 8),
                             certified_on=date(2023, 12, 8))
    assert (deadline.label, deadline.due_on) == ("证书到期", date(2026, 12, 8))


def test_next_deadline_for_staff_includes_the_follow_up_but_not_for_firms():
    kw = dict(today=TODAY, last_activity_on=date(2026, 10, 1), stale_days=60)
    assert next_deadline(TECH, Stage.POOL, **kw).due_on == date(2026, 11, 30)
    assert next_deadline(TECH, Stage.POOL, for_firm=True, **kw) is None
    assert next_deadline(TECH, Stage.PAUSED, paused_until=date(2027, 1, 1), **kw).label == "计划恢复"
    assert next_deadline(TECH, Stage.REMOVED, **kw) is None


def test_stale_means_quiet_for_more_days_than_the_threshold():
    assert is_stale(Stage.CULTIVATING, TODAY - timedelta(days=181), 180, TODAY)
    assert not is_stale(Stage.CULTIVATING, TODAY - timedelta(days=180), 180, TODAY)
    assert not is_stale(Stage.PAUSED, TODAY - timedelta(days=999), 10, TODAY)
    assert not is_stale(Stage.CERTIFIED, TODAY - timedelta(days=999), None, TODAY)


def test_a_certificate_past_its_date_reads_as_expired_before_the_expiry_job_moved_it():
    from pipeline.domain.stages import is_valid

    status = public_status(Stage.CERTIFIED, expires_on=date(2025, 12, 31), today=date(2026, 1, 1))
    assert (status.text, status.params) == ("资格已于 %(date)s 到期，可重新申报", {"date": "2025-12-31"})
    assert public_status(Stage.CERTIFIED, expires_on=date(2025, 12, 31), today=date(2025, 12, 31)).tone == "success"
    assert is_valid(Stage.CERTIFIED, date(2025, 12, 31), date(2025, 12, 31))
    assert not is_valid(Stage.CERTIFIED, date(2025, 12, 31), date(2026, 1, 1))
    assert not is_valid(Stage.EXPIRED, None, date(2026, 1, 1))


def test_entry_class_first_time_repeat_restored():
    from pipeline.domain.stages import EntryClass, classify_entry

    assert classify_entry(None, False, "GR202633000001") is EntryClass.FIRST_TIME
    assert classify_entry("GR202333000001", True, "GR202633000001") is EntryClass.REPEAT
    assert classify_entry("GR202633000001", True, "gr202633000001") is EntryClass.RESTORED
