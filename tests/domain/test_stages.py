"""The transition table and its guards, in plain Python (no app)."""

from datetime import date

import pytest

from pipeline.domain.stages import (
    EXIT_REASON_LABELS,
    ExitReason,
    MoveRequest,
    RecordState,
    Stage,
    TrackRule,
    TransitionRefused,
    allowed_targets,
    check_transition,
    expiry_date,
    format_pool_number,
    needs_for,
)

S = Stage
TODAY = date(2026, 11, 28)
TECH = TrackRule(code="tech_sme", short_name="科小", validity_rule="calendar_year", validity_years=None,
                 number_pattern=r"^{year}\S+$")
HNTE = TrackRule(code="hnte", short_name="高企", validity_rule="years", validity_years=3,
                 number_pattern=r"^GR{year}\d{2}\d{6}$")

# Spelled out independently of TRANSITIONS, so that an accidental edit of the table fails here.
# (from, to): 'step' = anyone who may move; 'skip' = admin with a reason.
ALLOWED = {
    (None, S.SCREENING): "step", (None, S.POOL): "skip", (None, S.CULTIVATING): "skip", (None, S.CERTIFIED): "skip",
    (S.SCREENING, S.POOL): "step", (S.SCREENING, S.CULTIVATING): "skip", (S.SCREENING, S.CERTIFIED): "skip",
    (S.SCREENING, S.PAUSED): "step", (S.SCREENING, S.REMOVED): "step",
    (S.POOL, S.CULTIVATING): "step", (S.POOL, S.CERTIFIED): "skip", (S.POOL, S.PAUSED): "step",
    (S.POOL, S.REMOVED): "step",
    (S.CULTIVATING, S.CERTIFIED): "step", (S.CULTIVATING, S.FAILED): "step", (S.CULTIVATING, S.PAUSED): "step",
    (S.CULTIVATING, S.REMOVED): "step",
    (S.CERTIFIED, S.CERTIFIED): "step", (S.CERTIFIED, S.EXPIRED): "step", (S.CERTIFIED, S.REMOVED): "step",
    (S.FAILED, S.CULTIVATING): "step", (S.FAILED, S.PAUSED): "step", (S.FAILED, S.REMOVED): "step",
    (S.EXPIRED, S.CULTIVATING): "step", (S.EXPIRED, S.CERTIFIED): "step", (S.EXPIRED, S.PAUSED): "step",
    (S.EXPIRED, S.REMOVED): "step",
    (S.REMOVED, S.SCREENING): "step", (S.REMOVED, S.POOL): "skip", (S.REMOVED, S.CULTIVATING): "skip",
    (S.REMOVED, S.CERTIFIED): "skip",
    # A paused record (here paused from 培育) resumes, leaves, or moves on as if it were still in 培育.
    (S.PAUSED, S.CULTIVATING): "step", (S.PAUSED, S.REMOVED): "step", (S.PAUSED, S.CERTIFIED): "step",
    (S.PAUSED, S.FAILED): "step",
    # The 高企 re-certification cycle (here with a certificate already expired: only 认定, 已过期 and 出库 remain).
    (S.RECERT_APPLYING, S.CERTIFIED): "step", (S.RECERT_APPLYING, S.EXPIRED): "step",
    (S.RECERT_APPLYING, S.REMOVED): "step",
    (S.RECERT_FAILED, S.CERTIFIED): "step", (S.RECERT_FAILED, S.EXPIRED): "step", (S.RECERT_FAILED, S.REMOVED): "step",
}
FROM_STAGES = [None, *Stage]
PAIRS = [(f, t) for f in FROM_STAGES for t in Stage]


def state_in(stage, **kw):
    if stage is S.PAUSED:
        kw.setdefault("paused_from", S.CULTIVATING)
    if stage in (S.CERTIFIED, S.RECERT_APPLYING, S.RECERT_FAILED):
        kw.setdefault("certified_on", date(2023, 11, 1))
        kw.setdefault("expires_on", date(2026, 11, 1))  # already expired, so that 已过期 is allowed
    return RecordState(stage=stage, **kw)


def complete_request(to, *, is_admin=True, **kw):
    """A request with every piece of data any move could need."""
    values = dict(to_stage=to, is_admin=is_admin, reason_code=ExitReason.WITHDRAWN.value, note="理由",
                  certificate_number="GR202633000001", issued_on=date(2026, 11, 20), resume_on=date(2027, 3, 1))
    values.update(kw)
    return MoveRequest(**values)


def move(state, to, track=HNTE, today=TODAY, **kw):
    return check_transition(track, state, complete_request(to, **kw), today=today)


@pytest.mark.parametrize(("origin", "to"), PAIRS, ids=[f"{f}->{t}" for f, t in PAIRS])
def test_every_pair_is_allowed_or_refused_as_the_table_says(origin, to):
    state = state_in(origin)
    if (origin, to) in ALLOWED:
        assert move(state, to).to_stage is to
    else:
        with pytest.raises(TransitionRefused):
            move(state, to)


@pytest.mark.parametrize(("pair", "kind"), sorted(ALLOWED.items(), key=str), ids=lambda v: str(v))
def test_skips_need_an_admin_and_steps_do_not(pair, kind):
    origin, to = pair
    if kind == "skip":
        with pytest.raises(TransitionRefused, match="管理员"):
            move(state_in(origin), to, is_admin=False)
        assert move(state_in(origin), to, is_admin=True).skipped
    else:
        assert not move(state_in(origin), to, is_admin=False).skipped


def test_cannot_skip_from_screening_to_cultivating_as_officer():
    with pytest.raises(TransitionRefused) as refused:
        move(state_in(S.SCREENING), S.CULTIVATING, is_admin=False)
    assert str(refused.value) == "跳过阶段须由管理员操作。"


def test_admin_skip_needs_a_reason():
    with pytest.raises(TransitionRefused, match="理由") as refused:
        move(state_in(S.SCREENING), S.CULTIVATING, note="  ")
    assert refused.value.needs == {"note"}


def test_refusal_for_a_move_outside_the_table_names_both_stages():
    with pytest.raises(TransitionRefused) as refused:
        move(state_in(S.CULTIVATING), S.SCREENING)
    assert str(refused.value) == "不能从“培育”直接移到“遴选”。"


def test_moving_to_the_current_stage_is_refused():
    with pytest.raises(TransitionRefused, match="已处于“培育”"):
        move(state_in(S.CULTIVATING), S.CULTIVATING)


def test_a_firm_not_on_the_track_enters_at_screening_only():
    with pytest.raises(TransitionRefused, match="只能先列入“遴选”"):
        move(RecordState(), S.FAILED)


# Pool numbers --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("origin", "to", "assigned"), [
    (None, S.SCREENING, False), (S.SCREENING, S.POOL, True), (S.POOL, S.CULTIVATING, False),
    (None, S.POOL, True), (S.SCREENING, S.CULTIVATING, True), (S.REMOVED, S.POOL, True),
    (S.CULTIVATING, S.CERTIFIED, False), (S.EXPIRED, S.CULTIVATING, False), (S.FAILED, S.CULTIVATING, False),
])
def test_entering_the_pool_from_outside_assigns_a_pool_number(origin, to, assigned):
    assert move(state_in(origin), to).assign_pool_number is assigned


def test_resuming_a_pause_keeps_the_pool_number():
    assert not move(RecordState(stage=S.PAUSED, paused_from=S.POOL), S.POOL).assign_pool_number
    assert move(RecordState(stage=S.PAUSED, paused_from=S.SCREENING), S.POOL).assign_pool_number


def test_pool_number_format():
    assert format_pool_number("科小", 2026, 1) == "科小-2026-0001"
    assert format_pool_number("高企", 2027, 12345) == "高企-2027-12345"


# Certification ---------------------------------------------------------------------------------------------------

def test_certifying_needs_number_and_issue_date():
    for missing in ({"certificate_number": None}, {"issued_on": None}, {"certificate_number": "  "}):
        with pytest.raises(TransitionRefused, match="证书（登记）编号和发证日期") as refused:
            move(state_in(S.CULTIVATING), S.CERTIFIED, **missing)
        assert refused.value.needs == {"certificate"}


def test_hnte_certificate_gets_three_years():
    outcome = move(state_in(S.CULTIVATING), S.CERTIFIED, certificate_number="gr202633000123",
                   issued_on=date(2026, 11, 20))
    assert outcome.certificate_number == "GR202633000123"
    assert (outcome.certified_on, outcome.expires_on) == (date(2026, 11, 20), date(2029, 11, 20))


@pytest.mark.parametrize("number", ["GR20263300012", "GR202533000123", "GX202633000123", "GR2026ZJ000123",
                                    "GR2026330001234"])
def test_hnte_number_must_be_gr_year_province_six_digits(number):
    with pytest.raises(TransitionRefused, match="格式不正确") as refused:
        move(state_in(S.CULTIVATING), S.CERTIFIED, certificate_number=number, issued_on=date(2026, 11, 20))
    assert "GR" in str(refused.value)


def test_tech_sme_registration_expires_on_31_december_of_its_year():
    outcome = move(state_in(S.CULTIVATING), S.CERTIFIED, track=TECH, certificate_number="20263306240A0012",
                   issued_on=date(2026, 7, 3))
    assert outcome.expires_on == date(2026, 12, 31)


def test_tech_sme_number_must_start_with_its_year():
    with pytest.raises(TransitionRefused, match="应以登记年份开头（如 2026…）"):
        move(state_in(S.CULTIVATING), S.CERTIFIED, track=TECH, certificate_number="20253306240A0012",
             issued_on=date(2026, 7, 3))


def test_issue_date_cannot_be_in_the_future():
    with pytest.raises(TransitionRefused, match="晚于今天"):
        move(state_in(S.CULTIVATING), S.CERTIFIED, issued_on=date(2026, 11, 29))


def test_an_already_expired_certificate_is_refused():
    with pytest.raises(TransitionRefused, match="已于 2025-12-31 到期"):
        move(state_in(S.CULTIVATING), S.CERTIFIED, track=TECH, certificate_number="2025330624A0012",
             issued_on=date(2025, 7, 1))


def test_recertification_needs_a_later_certificate():
    state = state_in(S.CERTIFIED, certified_on=date(2026, 11, 20), expires_on=date(2029, 11, 20))
    with pytest.raises(TransitionRefused, match="须晚于现有证书"):
        move(state, S.CERTIFIED, issued_on=date(2026, 11, 20))


def test_track_without_pattern_accepts_any_number_and_rule_none_never_expires():
    track = TrackRule(code="rd_center", short_name="研发", validity_rule="none", validity_years=None)
    outcome = move(state_in(S.CULTIVATING), S.CERTIFIED, track=track, certificate_number="市级-2026-18")
    assert outcome.expires_on is None
    with pytest.raises(TransitionRefused, match="没有有效期"):
        move(state_in(S.CERTIFIED, expires_on=None), S.EXPIRED, track=track)


def test_admin_defined_number_hint_is_used_in_the_message():
    track = TrackRule(code="prov", short_name="省科小", validity_rule="years", validity_years=5,
                      number_pattern=r"^ZJ{year}\d{4}$", number_hint="ZJ + 年份 + 4 位数字")
    with pytest.raises(TransitionRefused, match="ZJ \\+ 年份 \\+ 4 位数字"):
        move(state_in(S.CULTIVATING), S.CERTIFIED, track=track, certificate_number="ZJ20261")
    assert move(state_in(S.CULTIVATING), S.CERTIFIED, track=track, certificate_number="ZJ20260001").expires_on \
        == date(2031, 11, 20)


@pytest.mark.parametrize(("track", "number", "issued", "expires"), [
    (HNTE, "GR202433000001", date(2024, 2, 29), date(2027, 2, 28)),
    (HNTE, "GR202333000001", date(2023, 12, 8), date(2026, 12, 8)),
    (TECH, "2026X", date(2026, 1, 5), date(2026, 12, 31)),
    (TrackRule("x", "X", "years", 1), "", date(2026, 3, 1), date(2027, 3, 1)),
    (TrackRule("x", "X", "none", None), "", date(2026, 3, 1), None),
])
def test_expiry_computation(track, number, issued, expires):
    assert expiry_date(track, number, issued) == expires


# Expiry, pause, exit ---------------------------------------------------------------------------------------------

def test_expired_only_once_the_certificate_has_expired():
    with pytest.raises(TransitionRefused, match="有效期至 2026-12-08，尚未过期"):
        move(state_in(S.CERTIFIED, expires_on=date(2026, 12, 8)), S.EXPIRED)
    with pytest.raises(TransitionRefused):
        move(state_in(S.CERTIFIED, expires_on=TODAY), S.EXPIRED)  # valid through its last day
    assert move(state_in(S.CERTIFIED, expires_on=date(2026, 11, 27)), S.EXPIRED).to_stage is S.EXPIRED


def test_pause_needs_a_reason_and_a_future_resume_date():
    with pytest.raises(TransitionRefused, match="原因和预计恢复日期") as refused:
        move(state_in(S.POOL), S.PAUSED, note="", resume_on=None)
    assert refused.value.needs == {"note", "resume_on"}
    with pytest.raises(TransitionRefused, match="晚于今天"):
        move(state_in(S.POOL), S.PAUSED, resume_on=TODAY)
    outcome = move(state_in(S.POOL), S.PAUSED, note="搬迁", resume_on=date(2027, 1, 5))
    assert (outcome.paused_from, outcome.paused_until, outcome.pause_reason) == (S.POOL, date(2027, 1, 5), "搬迁")


def test_paused_record_resumes_where_it_was_paused():
    paused = RecordState(stage=S.PAUSED, paused_from=S.POOL)
    assert allowed_targets(paused, is_admin=False) == [S.POOL, S.CULTIVATING, S.REMOVED]
    with pytest.raises(TransitionRefused):
        move(paused, S.SCREENING)
    with pytest.raises(TransitionRefused):
        move(paused, S.PAUSED)


def test_exit_needs_a_reason_code_and_a_note_for_other():
    with pytest.raises(TransitionRefused, match="出库须选择原因") as refused:
        move(state_in(S.POOL), S.REMOVED, reason_code=None)
    assert refused.value.needs == {"reason_code"}
    with pytest.raises(TransitionRefused, match="出库须选择原因"):
        move(state_in(S.POOL), S.REMOVED, reason_code="bogus")
    with pytest.raises(TransitionRefused, match="“其他”时须填写说明"):
        move(state_in(S.POOL), S.REMOVED, reason_code="other", note="")
    assert move(state_in(S.POOL), S.REMOVED, reason_code="moved_away").exit_reason == "moved_away"


def test_exit_reasons_have_labels():
    assert set(EXIT_REASON_LABELS) == set(ExitReason)
    assert EXIT_REASON_LABELS[ExitReason.WITHDRAWN] == "企业放弃"


def test_revocation_blocks_reentry_until_next_year():
    outcome = move(state_in(S.CERTIFIED), S.REMOVED, track=TECH, reason_code="revoked")
    assert outcome.revoked_year == 2026
    removed = RecordState(stage=S.REMOVED, revoked_year=2026)
    with pytest.raises(TransitionRefused, match="2026年的资格已被撤销.*2027年起"):
        move(removed, S.SCREENING, track=TECH)
    assert move(removed, S.SCREENING, track=TECH, today=date(2027, 1, 1)).to_stage is S.SCREENING
    assert move(RecordState(stage=S.REMOVED, revoked_year=2025), S.SCREENING, track=TECH).to_stage is S.SCREENING


def test_other_exit_reasons_do_not_block_reentry():
    assert move(state_in(S.POOL), S.REMOVED, reason_code="withdrawn").revoked_year is None


# What the UI offers -----------------------------------------------------------------------------------------------

def test_allowed_targets_offer_skips_only_to_admins():
    assert allowed_targets(RecordState(stage=S.SCREENING), is_admin=False) == [S.POOL, S.PAUSED, S.REMOVED]
    assert allowed_targets(RecordState(stage=S.SCREENING), is_admin=True) == [
        S.POOL, S.CULTIVATING, S.CERTIFIED, S.PAUSED, S.REMOVED]
    assert allowed_targets(RecordState(), is_admin=False) == [S.SCREENING]


def test_needs_for_names_the_data_a_move_requires():
    assert needs_for(RecordState(stage=S.CULTIVATING), S.CERTIFIED) == {"certificate"}
    assert needs_for(RecordState(stage=S.POOL), S.PAUSED) == {"note", "resume_on"}
    assert needs_for(RecordState(stage=S.POOL), S.REMOVED) == {"reason_code"}
    assert needs_for(RecordState(stage=S.POOL), S.CULTIVATING) == frozenset()
    assert needs_for(RecordState(stage=S.SCREENING), S.CERTIFIED) == {"note", "certificate"}


def test_refusal_renders_through_a_translator():
    with pytest.raises(TransitionRefused) as refused:
        move(state_in(S.CULTIVATING), S.SCREENING)
    table = {"不能从“%(from)s”直接移到“%(to)s”。": "Cannot move from %(from)s to %(to)s.", "培育": "cultivating",
             "遴选": "screening"}
    assert refused.value.render(lambda text: table.get(text, text)) == "Cannot move from cultivating to screening."


def test_recertification_states_keep_the_valid_certificate_and_need_one():
    valid = RecordState(stage=S.CERTIFIED, certified_on=date(2023, 12, 20), expires_on=date(2026, 12, 20))
    applying = move(valid, S.RECERT_APPLYING, is_admin=False)
    assert (applying.expires_on, applying.skipped) == (date(2026, 12, 20), False)
    failed = move(RecordState(stage=S.RECERT_APPLYING, certified_on=date(2023, 12, 20), expires_on=date(2026, 12, 20)),
                  S.RECERT_FAILED, is_admin=False)
    assert failed.expires_on == date(2026, 12, 20) and failed.certificate_number is None
    with pytest.raises(TransitionRefused, match="按年计算有效期"):
        move(RecordState(stage=S.CERTIFIED, certified_on=date(2026, 7, 1), expires_on=date(2026, 12, 31)),
             S.RECERT_APPLYING, track=TECH)
    again = move(RecordState(stage=S.RECERT_APPLYING, certified_on=date(2023, 12, 20), expires_on=date(2026, 12, 20),
                             certificate_number="GR202333000001"), S.CERTIFIED)
    assert again.entry_class == "repeat" and again.expires_on == date(2029, 11, 20)


def test_the_final_stage_is_named_per_track():
    from pipeline.domain.stages import number_label, public_status, stage_label

    assert (stage_label(Stage.CERTIFIED, "tech_sme"), stage_label(Stage.CERTIFIED, "hnte")) == ("入库登记", "认定")
    assert stage_label(Stage.CERTIFIED) == "认定" and stage_label(Stage.POOL, "tech_sme") == "入库"
    assert (number_label("tech_sme"), number_label("hnte")) == ("入库登记编号", "证书编号")
    status = public_status(Stage.CERTIFIED, expires_on=date(2026, 12, 31), today=date(2026, 6, 1), track_code="tech_sme")
    assert status.text % status.params == "已入库登记，有效期至 2026-12-31"
    hnte = public_status(Stage.CERTIFIED, expires_on=date(2028, 5, 1), today=date(2026, 6, 1), track_code="hnte")
    assert hnte.text % hnte.params == "已认定，有效期至 2028-05-01"
