"""Tracks' stages and the one table that says which stage may follow which, with its guards.

Plain Python: the funnel service hands in plain values (TrackRule, RecordState, MoveRequest) and applies the
Outcome; it never decides a move itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pipeline.domain.deadlines import add_years, hnte_expiry, tech_sme_expiry
from pipeline.domain.registration_number import registration_number_problem
from pipeline.domain.text import N_


class Stage(StrEnum):
    SCREENING = "screening"  # 遴选
    POOL = "pool"  # 入库
    CULTIVATING = "cultivating"  # 培育
    CERTIFIED = "certified"  # 认定
    REMOVED = "removed"  # 出库
    PAUSED = "paused"  # 暂缓
    FAILED = "failed"  # 未通过
    EXPIRED = "expired"  # 已过期
    # The 高企 re-certification cycle: the firm applies again in its expiry year while its certificate stays valid.
    RECERT_APPLYING = "recert_applying"  # 重新认定申报中
    RECERT_FAILED = "recert_failed"  # 重新认定未通过 (the old certificate still expires normally)


# The forward ladder, in order; the other stages sit beside it.
LADDER = (Stage.SCREENING, Stage.POOL, Stage.CULTIVATING, Stage.CERTIFIED)
# Board columns, left to right.
BOARD_ORDER = (*LADDER, Stage.RECERT_APPLYING, Stage.RECERT_FAILED, Stage.FAILED, Stage.EXPIRED, Stage.PAUSED,
               Stage.REMOVED)
RECERT_STAGES = (Stage.RECERT_APPLYING, Stage.RECERT_FAILED)

STAGE_LABELS = {
    Stage.SCREENING: N_("遴选"),
    Stage.POOL: N_("入库"),
    Stage.CULTIVATING: N_("培育"),
    Stage.CERTIFIED: N_("认定"),
    Stage.REMOVED: N_("出库"),
    Stage.PAUSED: N_("暂缓"),
    Stage.FAILED: N_("未通过"),
    Stage.EXPIRED: N_("已过期"),
    Stage.RECERT_APPLYING: N_("重新认定申报中"),
    Stage.RECERT_FAILED: N_("重新认定未通过"),
}
# The final stage's name on each track where it is not 认定: a 科小 passes its evaluation and is registered (入库登记,
# 国科发政〔2017〕115号); only 高企 and the provincial lists are 认定 (docs/glossary.md). The stage code stays the same.
FINAL_STAGE_LABELS = {"tech_sme": N_("入库登记")}
FINAL_STAGE_FAILED_LABELS = {"tech_sme": N_("评价未通过")}
NUMBER_LABELS = {"tech_sme": N_("入库登记编号")}  # what the number of the final stage is called (else 证书编号)


def stage_label(stage: Stage, track_code: str | None = None) -> str:
    """Return the msgid of a stage's name on a track (the final stage and its failure are named per track)."""
    if stage is Stage.CERTIFIED and track_code in FINAL_STAGE_LABELS:
        return FINAL_STAGE_LABELS[track_code]
    if stage is Stage.FAILED and track_code in FINAL_STAGE_FAILED_LABELS:
        return FINAL_STAGE_FAILED_LABELS[track_code]
    return STAGE_LABELS[stage]


def number_label(track_code: str | None) -> str:
    """Return the msgid of what a track's certificate number is called (科小: 入库登记编号)."""
    return NUMBER_LABELS.get(track_code, N_("证书编号"))


class ExitReason(StrEnum):
    NO_LONGER_ELIGIBLE = "no_longer_eligible"  # 不再符合条件
    WITHDRAWN = "withdrawn"  # 企业放弃
    MOVED_AWAY = "moved_away"  # 迁出
    DEREGISTERED = "deregistered"  # 注销
    REVOKED = "revoked"  # 资格被撤销: on 科小, blocks re-entry for the rest of the year
    FALSIFIED = "falsified"  # 弄虚作假: on 科小, blocks re-entry for 3 years (this year and the next two)
    DISHONEST = "dishonest"  # 失信/违法: serious dishonesty or a violation of law
    OTHER = "other"  # 其他


EXIT_REASON_LABELS = {
    ExitReason.NO_LONGER_ELIGIBLE: N_("不再符合条件"),
    ExitReason.WITHDRAWN: N_("企业放弃"),
    ExitReason.MOVED_AWAY: N_("迁出"),
    ExitReason.DEREGISTERED: N_("注销"),
    ExitReason.REVOKED: N_("资格被撤销"),
    ExitReason.FALSIFIED: N_("弄虚作假"),
    ExitReason.DISHONEST: N_("失信/违法"),
    ExitReason.OTHER: N_("其他"),
}


class Level(StrEnum):
    """The level of a recognition on a levelled track (企业研发机构: 县级 … 国家级), lowest first."""

    COUNTY = "county"  # 县级
    CITY = "city"  # 市级, e.g. 市级企业研究开发中心
    PROVINCE = "province"  # 省级: 省级企业研究开发中心, 省级重点企业研究院, 省级企业技术中心
    NATIONAL = "national"  # 国家级: 国家企业技术中心


LEVEL_LABELS = {Level.COUNTY: N_("县级"), Level.CITY: N_("市级"), Level.PROVINCE: N_("省级"),
                Level.NATIONAL: N_("国家级")}
LEVEL_RANK = {level: rank for rank, level in enumerate(Level)}
# What the county's figures of a levelled track count: "市级以上企业研发机构" (the 2022 work plan's target).
COUNTED_LEVELS = frozenset({Level.CITY, Level.PROVINCE, Level.NATIONAL})
# A 省级 or higher 研发机构 meets the 科小 direct qualification provincial_rd_institution (RULES.md §1).
PROVINCIAL_LEVELS = frozenset({Level.PROVINCE, Level.NATIONAL})


class EntryClass(StrEnum):
    """How an entry into 认定 counts in the bureau's figures; kept on the history row, never changed afterwards."""

    FIRST_TIME = "first_time"  # 新增: the firm never held this status before
    REPEAT = "repeat"  # 重新认定 of a 高企, a 科小's yearly re-registration: a new certificate after an earlier one
    RESTORED = "restored"  # the same certificate given back (a mistaken 出库 undone, a revocation overturned)


ENTRY_CLASS_LABELS = {
    EntryClass.FIRST_TIME: N_("首次认定"),
    EntryClass.REPEAT: N_("重新认定"),
    EntryClass.RESTORED: N_("恢复认定"),
}


def classify_entry(previous_number: str | None, held_before: bool, new_number: str | None, *,
                   previous_level: str | None = None, new_level: str | None = None) -> EntryClass:
    """Say how an entry into 认定 counts: first time, repeat (a new certificate) or restored (the same one again).

    On a levelled track a recognition above every level the record held before is first-time at that level
    (a 市级 centre becoming 省级 is a new 省级 institution)."""
    if not held_before:
        return EntryClass.FIRST_TIME
    if new_level and (previous_level is None or LEVEL_RANK[Level(new_level)] > LEVEL_RANK[Level(previous_level)]):
        return EntryClass.FIRST_TIME
    if previous_number and new_number and previous_number.strip().upper() == new_number.strip().upper():
        return EntryClass.RESTORED
    return EntryClass.REPEAT


class Rule(StrEnum):
    """How a move is guarded."""

    STEP = "step"  # the next step: anyone who may move the record
    SKIP = "skip"  # jumps over a stage: admin only, with a reason
    CERTIFY = "certify"  # needs the certificate or registration number and its issue date
    PAUSE = "pause"  # needs a reason and a resume date
    EXIT = "exit"  # needs a reason code (and a note for 其他)
    EXPIRE = "expire"  # only once the certification has expired
    RECERT = "recert"  # the re-certification cycle: only while the certificate is valid


# THE transition table: from stage (None = not on the track yet) -> {to stage: rule}.
# A paused record moves as if it were still in the stage it was paused from (see effective_from).
TRANSITIONS: dict[Stage | None, dict[Stage, Rule]] = {
    None: {Stage.SCREENING: Rule.STEP, Stage.POOL: Rule.SKIP, Stage.CULTIVATING: Rule.SKIP,
           Stage.CERTIFIED: Rule.SKIP},
    Stage.SCREENING: {Stage.POOL: Rule.STEP, Stage.CULTIVATING: Rule.SKIP, Stage.CERTIFIED: Rule.SKIP,
                      Stage.PAUSED: Rule.PAUSE, Stage.REMOVED: Rule.EXIT},
    Stage.POOL: {Stage.CULTIVATING: Rule.STEP, Stage.CERTIFIED: Rule.SKIP, Stage.PAUSED: Rule.PAUSE,
                 Stage.REMOVED: Rule.EXIT},
    Stage.CULTIVATING: {Stage.CERTIFIED: Rule.CERTIFY, Stage.FAILED: Rule.STEP, Stage.PAUSED: Rule.PAUSE,
                        Stage.REMOVED: Rule.EXIT},
    Stage.CERTIFIED: {Stage.CERTIFIED: Rule.CERTIFY, Stage.RECERT_APPLYING: Rule.RECERT, Stage.EXPIRED: Rule.EXPIRE,
                      Stage.REMOVED: Rule.EXIT},
    Stage.RECERT_APPLYING: {Stage.CERTIFIED: Rule.CERTIFY, Stage.RECERT_FAILED: Rule.RECERT,
                            Stage.EXPIRED: Rule.EXPIRE, Stage.REMOVED: Rule.EXIT},
    Stage.RECERT_FAILED: {Stage.CERTIFIED: Rule.CERTIFY, Stage.RECERT_APPLYING: Rule.RECERT,
                          Stage.EXPIRED: Rule.EXPIRE, Stage.REMOVED: Rule.EXIT},
    Stage.FAILED: {Stage.CULTIVATING: Rule.STEP, Stage.PAUSED: Rule.PAUSE, Stage.REMOVED: Rule.EXIT},
    Stage.EXPIRED: {Stage.CULTIVATING: Rule.STEP, Stage.CERTIFIED: Rule.CERTIFY, Stage.PAUSED: Rule.PAUSE,
                    Stage.REMOVED: Rule.EXIT},
    Stage.REMOVED: {Stage.SCREENING: Rule.STEP, Stage.POOL: Rule.SKIP, Stage.CULTIVATING: Rule.SKIP,
                    Stage.CERTIFIED: Rule.SKIP},
}
# Stages in which a record holds the track's status (its certificate), as long as expires_on has not passed.
HOLDING = frozenset({Stage.CERTIFIED, *RECERT_STAGES})
# Stages in which a record holds a pool number; entering one of them from outside gives a new number.
IN_POOL = frozenset({Stage.POOL, Stage.CULTIVATING, Stage.CERTIFIED, Stage.FAILED, Stage.EXPIRED, *RECERT_STAGES})
NESTED_PARAMS = frozenset({"hint"})  # params that are msgids with params of their own
NUMBER_HINTS = {
    "calendar_year": N_("入库登记编号应以登记年份开头（如 %(year)s…）"),
    "GR": N_("高企证书编号应为 GR + 发证年份 4 位 + 省份代码 2 位 + 6 位数字（如 GR%(year)s33000001）"),
}


class TransitionRefused(Exception):  # noqa: N818 (the name says what happened; the lead chose it)
    """A move that may not happen. `template` is a Chinese msgid with %(name)s params; `needs` lists missing data."""

    def __init__(self, template: str, needs: frozenset[str] = frozenset(), **params):
        self.template, self.needs, self.params = template, frozenset(needs), params
        super().__init__(self.render())

    def render(self, translate=lambda text: text) -> str:
        """The message, each msgid (the template and string params, which may hold %(name)s too) translated."""
        def value(name, v):
            if not isinstance(v, str):
                return v
            v = translate(v)
            if name in NESTED_PARAMS and "%(" in v:
                try:
                    return v % self.params
                except (KeyError, ValueError, TypeError):
                    return v
            return v

        values = {k: value(k, v) for k, v in self.params.items()}
        return translate(self.template) % values if values else translate(self.template)


@dataclass(frozen=True)
class TrackRule:
    """What the domain needs to know about a track."""

    code: str
    short_name: str
    validity_rule: str = "years"  # 'years' | 'calendar_year' | 'none'
    validity_years: int | None = 3
    number_pattern: str = ""  # regular expression; {year} stands for the issue year
    number_hint: str = ""
    levelled: bool = False  # a recognition has a Level (企业研发机构)


@dataclass(frozen=True)
class RecordState:
    """A record's current position (stage None: the firm is not on the track yet)."""

    stage: Stage | None = None
    paused_from: Stage | None = None
    certified_on: date | None = None
    expires_on: date | None = None
    revoked_year: int | None = None
    certificate_number: str | None = None  # the last certificate the record held (kept after it left 认定)
    level: str | None = None  # the highest level a levelled track's record was recognised at
    exit_reason: str | None = None  # why a removed record left (a 弄虚作假 ban lasts 3 years)

    @property
    def held_before(self) -> bool:
        """The record has held the track's status at some time (a certificate was recorded)."""
        return self.certified_on is not None or bool(self.certificate_number)


@dataclass(frozen=True)
class MoveRequest:
    to_stage: Stage
    is_admin: bool = False
    reason_code: str | None = None
    note: str = ""
    certificate_number: str | None = None
    issued_on: date | None = None
    resume_on: date | None = None
    level: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a permitted move changes on the record, computed by check_transition()."""

    to_stage: Stage
    skipped: bool = False
    assign_pool_number: bool = False
    certificate_number: str | None = None
    certified_on: date | None = None
    expires_on: date | None = None
    paused_until: date | None = None
    pause_reason: str = ""
    paused_from: Stage | None = None
    exit_reason: str | None = None
    revoked_year: int | None = None
    entry_class: EntryClass | None = None  # set on every entry into 认定
    level: Level | None = None  # a levelled track's recognition level


def effective_from(state: RecordState) -> Stage | None:
    """The stage whose row of the table applies: a paused record moves from where it was paused.

    (A paused record without its origin — only possible in imported data — counts as paused from 遴选.)
    """
    if state.stage is Stage.PAUSED:
        return state.paused_from or Stage.SCREENING
    return state.stage


def rule_for(state: RecordState, to_stage: Stage) -> Rule | None:
    """Look the move up in the table; None if it is not allowed at all."""
    if state.stage is Stage.PAUSED:
        if to_stage is Stage.REMOVED:
            return Rule.EXIT
        if to_stage is effective_from(state):
            return Rule.STEP  # resume
        if to_stage is Stage.PAUSED:
            return None
    return TRANSITIONS.get(effective_from(state), {}).get(to_stage)


def allowed_targets(state: RecordState, *, is_admin: bool) -> list[Stage]:
    """The stages the UI offers for a record, in board order (skips only for admins)."""
    return [stage for stage in BOARD_ORDER
            if (rule := rule_for(state, stage)) is not None and (is_admin or rule is not Rule.SKIP)]


def needs_for(state: RecordState, to_stage: Stage) -> frozenset[str]:
    """Which extra data a move requires ('note', 'reason_code', 'certificate', 'resume_on')."""
    rule = rule_for(state, to_stage)
    needs = {Rule.SKIP: {"note"}, Rule.PAUSE: {"note", "resume_on"}, Rule.EXIT: {"reason_code"},
             Rule.CERTIFY: {"certificate"}}.get(rule, set())
    if rule is Rule.SKIP and to_stage is Stage.CERTIFIED:
        needs = needs | {"certificate"}
    return frozenset(needs)


def check_transition(track: TrackRule, state: RecordState, move: MoveRequest, *, today: date) -> Outcome:
    """Decide a move: return what it changes, or raise TransitionRefused saying why (in Chinese)."""
    to = move.to_stage
    rule = rule_for(state, to)
    if rule is None:
        _refuse_unknown(state, to)
    _check_ban(track, state, today)
    if rule is Rule.SKIP:
        _check_skip(move)
    fields: dict = {}
    if to is Stage.CERTIFIED:
        fields = _certify(track, state, move, today)
    elif rule is Rule.PAUSE:
        fields = _pause(state, move, today)
    elif rule is Rule.EXIT:
        fields = _exit(move, today)
    elif rule is Rule.EXPIRE:
        _check_expired(state, today)
    elif rule is Rule.RECERT:
        fields = _recert(track, state, today)
    origin = effective_from(state)
    return Outcome(to_stage=to, skipped=rule is Rule.SKIP,
                   assign_pool_number=origin not in IN_POOL and to in IN_POOL, **fields)


# 科小 only (RULES.md §1, 国科发政〔2017〕115号): a revoked number bars the firm for the rest of the year, falsified
# data for 3 years. Neither bars 高企 or the county's own 遴选 on other tracks.
BAN_TRACK = "tech_sme"
BAN_YEARS = {ExitReason.REVOKED.value: 1, ExitReason.FALSIFIED.value: 3}


def _check_ban(track: TrackRule, state: RecordState, today: date) -> None:
    if track.code != BAN_TRACK or state.stage not in (None, Stage.REMOVED) or state.revoked_year is None:
        return
    last = state.revoked_year + BAN_YEARS.get(state.exit_reason or "", 1) - 1
    if today.year > last:
        return
    if last == state.revoked_year:
        raise TransitionRefused(N_("该企业%(year)s年的资格已被撤销，当年不得重新进入本培育类别，%(next)s年起方可重新遴选。"),
                                year=today.year, next=last + 1)
    raise TransitionRefused(N_("该企业%(year)s年因弄虚作假被撤销资格，三年内（至%(last)s年底）不得重新进入本培育类别，"
                               "%(next)s年起方可重新遴选。"), year=state.revoked_year, last=last, next=last + 1)


def _refuse_unknown(state: RecordState, to: Stage) -> None:
    if state.stage is to:
        raise TransitionRefused(N_("该企业已处于“%(stage)s”阶段。"), stage=STAGE_LABELS[to])
    if state.stage is None:
        raise TransitionRefused(N_("企业尚未进入本培育类别，只能先列入“遴选”。"))
    raise TransitionRefused(N_("不能从“%(from)s”直接移到“%(to)s”。"),
                            **{"from": STAGE_LABELS[state.stage], "to": STAGE_LABELS[to]})


def _check_skip(move: MoveRequest) -> None:
    if not move.is_admin:
        raise TransitionRefused(N_("跳过阶段须由管理员操作。"))
    if not move.note.strip():
        raise TransitionRefused(N_("跳过阶段须填写理由。"), needs=frozenset({"note"}))


def _certify(track: TrackRule, state: RecordState, move: MoveRequest, today: date) -> dict:
    number = (move.certificate_number or "").strip().upper()
    if not number or move.issued_on is None:
        raise TransitionRefused(N_("认定须填写证书（登记）编号和发证日期。"), needs=frozenset({"certificate"}))
    if move.issued_on > today:
        raise TransitionRefused(N_("发证日期 %(date)s 晚于今天。"), needs=frozenset({"certificate"}),
                                date=move.issued_on.isoformat())
    check_number(track, number, move.issued_on)
    if state.stage in HOLDING and state.certified_on and move.issued_on <= state.certified_on:
        raise TransitionRefused(N_("重新认定的发证日期须晚于现有证书的发证日期 %(date)s。"),
                                needs=frozenset({"certificate"}), date=state.certified_on.isoformat())
    try:
        expires = expiry_date(track, number, move.issued_on)
    except ValueError:
        raise TransitionRefused(N_("编号“%(number)s”格式不正确：%(hint)s"), needs=frozenset({"certificate"}), number=number,
                                hint=NUMBER_HINTS["calendar_year"], year=move.issued_on.year) from None
    if expires is not None and expires < today:
        raise TransitionRefused(N_("该证书已于 %(date)s 到期，不能登记为认定。"), needs=frozenset({"certificate"}),
                                date=expires.isoformat())
    level = _level(track, move)
    return {"certificate_number": number, "certified_on": move.issued_on, "expires_on": expires, "level": level,
            "entry_class": classify_entry(state.certificate_number, state.held_before, number,
                                          previous_level=state.level, new_level=level)}


def _level(track: TrackRule, move: MoveRequest) -> Level | None:
    if not track.levelled:
        return None
    if move.level not in Level._value2member_map_:
        raise TransitionRefused(N_("认定须选择级别（县级、市级、省级或国家级）。"), needs=frozenset({"certificate"}))
    return Level(move.level)


def check_number(track: TrackRule, number: str, issued_on: date) -> None:
    """Refuse a certificate/registration number that does not match the track's pattern for the issue year."""
    if track.validity_rule == "calendar_year" and number.startswith(str(issued_on.year)):
        problem = registration_number_problem(number)  # the 科小 number in full, not only its year
        if problem is not None:
            raise TransitionRefused(N_("编号“%(number)s”格式不正确：%(hint)s"), needs=frozenset({"certificate"}),
                                    number=number, hint=problem[0], year=issued_on.year, **problem[1])
    if not track.number_pattern:
        return
    pattern = track.number_pattern.replace("{year}", str(issued_on.year))
    if re.fullmatch(pattern, number):
        return
    hint = track.number_hint or (NUMBER_HINTS["GR"] if track.number_pattern.startswith("^GR")
                                 else NUMBER_HINTS["calendar_year"] if track.validity_rule == "calendar_year"
                                 else N_("编号不符合本培育类别的编号规则。"))
    raise TransitionRefused(N_("编号“%(number)s”格式不正确：%(hint)s"), needs=frozenset({"certificate"}),
                            number=number, hint=hint, year=issued_on.year)


def expiry_date(track: TrackRule, number: str, issued_on: date) -> date | None:
    """Compute when a certification expires under the track's validity rule (None: it does not expire)."""
    if track.validity_rule == "calendar_year":
        return tech_sme_expiry(number)
    if track.validity_rule == "years":
        years = track.validity_years or 3
        return hnte_expiry(issued_on) if years == 3 else add_years(issued_on, years)
    return None


def _pause(state: RecordState, move: MoveRequest, today: date) -> dict:
    missing = frozenset(name for name, ok in (("note", move.note.strip()), ("resume_on", move.resume_on)) if not ok)
    if missing:
        raise TransitionRefused(N_("暂缓须填写原因和预计恢复日期。"), needs=missing)
    if move.resume_on <= today:
        raise TransitionRefused(N_("预计恢复日期须晚于今天。"), needs=frozenset({"resume_on"}))
    return {"paused_until": move.resume_on, "pause_reason": move.note.strip(), "paused_from": state.stage}


def _exit(move: MoveRequest, today: date) -> dict:
    if move.reason_code not in set(ExitReason):
        raise TransitionRefused(N_("出库须选择原因。"), needs=frozenset({"reason_code"}))
    if move.reason_code == ExitReason.OTHER and not move.note.strip():
        raise TransitionRefused(N_("出库原因为“其他”时须填写说明。"), needs=frozenset({"note"}))
    revoked = today.year if move.reason_code in BAN_YEARS else None
    return {"exit_reason": move.reason_code, "revoked_year": revoked}


def _check_expired(state: RecordState, today: date) -> None:
    if state.expires_on is None:
        raise TransitionRefused(N_("该认定没有有效期，不会过期；如资格被撤销，请选择“出库”。"))
    if state.expires_on >= today:
        raise TransitionRefused(N_("证书有效期至 %(date)s，尚未过期；如资格被撤销，请选择“出库”。"),
                                date=state.expires_on.isoformat())


def is_valid(stage: Stage | None, expires_on: date | None, today: date) -> bool:
    """The record holds a valid status today: it is in 认定 and its expiry date has not passed (RULES.md §1, §2)."""
    return stage in HOLDING and (expires_on is None or expires_on >= today)


def _recert(track: TrackRule, state: RecordState, today: date) -> dict:
    """重新认定申报中 / 未通过 keep the valid certificate: the history row repeats its expiry date."""
    if track.validity_rule != "years" or state.expires_on is None:
        raise TransitionRefused(N_("只有按年计算有效期的资格（如高企）才有重新认定周期。"))
    if state.expires_on < today:
        raise TransitionRefused(N_("证书已于 %(date)s 到期，不能再标记重新认定；请移到“已过期”后重新申报。"),
                                date=state.expires_on.isoformat())
    return {"expires_on": state.expires_on}


def format_pool_number(short_name: str, year: int, value: int) -> str:
    """Pool numbers read like 科小-2026-0001."""
    return f"{short_name}-{year}-{value:04d}"


def is_stale(stage: Stage, last_activity_on: date, stale_days: int | None, today: date) -> bool:
    """Stale: the stage has a threshold and the record has been quiet (no move, no service) for MORE days than it."""
    return stale_days is not None and stage not in (Stage.PAUSED, Stage.REMOVED) \
        and (today - last_activity_on).days > stale_days


@dataclass(frozen=True)
class PublicStatus:
    """A friendly status for firms: `text` is a Chinese msgid with %(name)s params; tone is a Bootstrap colour."""

    text: str
    tone: str = "secondary"
    params: dict | None = None


def public_status(stage: Stage | None, *, pool_number: str | None = None, expires_on: date | None = None,
                  paused_until: date | None = None, today: date | None = None,
                  track_code: str | None = None) -> PublicStatus:
    """Say where a firm stands on a track in words a firm understands (e.g. 已入库，培育中).

    Given `today`, a certificate whose date has passed reads as expired even before the expiry job has moved it.
    On 科小 the final stage reads 已入库登记 (a registration, not a certification).
    """
    if today is not None and stage in HOLDING and not is_valid(stage, expires_on, today):
        stage = Stage.EXPIRED
    if track_code in FINAL_STAGE_LABELS and stage in (Stage.CERTIFIED, Stage.FAILED):
        return _registration_status(stage, expires_on)
    if stage in RECERT_STAGES and expires_on:
        text = N_("已认定，有效期至 %(date)s；重新认定申报中") if stage is Stage.RECERT_APPLYING \
            else N_("已认定，有效期至 %(date)s；本次重新认定未通过，请在到期前再次申报")
        return PublicStatus(text, "success" if stage is Stage.RECERT_APPLYING else "warning",
                            {"date": expires_on.isoformat()})
    if stage is Stage.POOL:
        if pool_number:
            return PublicStatus(N_("已入库（编号 %(number)s），待开展培育"), "info", {"number": pool_number})
        return PublicStatus(N_("已入库，待开展培育"), "info")
    if stage is Stage.CERTIFIED and expires_on:
        return PublicStatus(N_("已认定，有效期至 %(date)s"), "success", {"date": expires_on.isoformat()})
    if stage is Stage.EXPIRED and expires_on:
        return PublicStatus(N_("资格已于 %(date)s 到期，可重新申报"), "warning", {"date": expires_on.isoformat()})
    if stage is Stage.PAUSED and paused_until:
        return PublicStatus(N_("培育暂缓，预计 %(date)s 恢复"), "secondary", {"date": paused_until.isoformat()})
    return {
        None: PublicStatus(N_("尚未列入")),
        Stage.SCREENING: PublicStatus(N_("已列入遴选名单，待入库"), "primary"),
        Stage.CULTIVATING: PublicStatus(N_("已入库，培育中"), "primary"),
        Stage.CERTIFIED: PublicStatus(N_("已认定"), "success"),
        Stage.FAILED: PublicStatus(N_("本次认定未通过，继续培育"), "warning"),
        Stage.EXPIRED: PublicStatus(N_("资格已到期，可重新申报"), "warning"),
        Stage.PAUSED: PublicStatus(N_("培育暂缓")),
        Stage.REMOVED: PublicStatus(N_("已退出培育库"), "dark"),
        Stage.RECERT_APPLYING: PublicStatus(N_("已认定；重新认定申报中"), "success"),
        Stage.RECERT_FAILED: PublicStatus(N_("已认定；本次重新认定未通过"), "warning"),
    }[stage]


def _registration_status(stage: Stage, expires_on: date | None) -> PublicStatus:
    if stage is Stage.FAILED:
        return PublicStatus(N_("本次评价未通过，继续培育"), "warning")
    if expires_on:
        return PublicStatus(N_("已入库登记，有效期至 %(date)s"), "success", {"date": expires_on.isoformat()})
    return PublicStatus(N_("已入库登记"), "success")


@dataclass(frozen=True)
class Deadline:
    label: str  # msgid
    due_on: date


def next_deadline(track: TrackRule, stage: Stage, *, today: date, expires_on: date | None = None,
                  certified_on: date | None = None, paused_until: date | None = None,
                  last_activity_on: date | None = None, stale_days: int | None = None,
                  for_firm: bool = False) -> Deadline | None:
    """The next date that matters for a record: expiry, 高企 annual report, resume date or (for staff) follow-up."""
    if stage in HOLDING:
        candidates = [Deadline(N_("证书到期"), expires_on)] if expires_on else []
        if track.code == "hnte" and certified_on:
            report = date(today.year if today <= date(today.year, 5, 31) else today.year + 1, 5, 31)
            if report.year > certified_on.year:
                candidates.append(Deadline(N_("年度发展报告"), report))
        return min(candidates, key=lambda d: d.due_on, default=None)
    if stage is Stage.PAUSED and paused_until:
        return Deadline(N_("计划恢复"), paused_until)
    if not for_firm and stale_days is not None and last_activity_on and stage is not Stage.REMOVED:
        return Deadline(N_("跟进期限"), last_activity_on + timedelta(days=stale_days))
    return None
