"""Every dashboard number links to the firm list (`firms.index`) filtered to the firms behind it.

The firm list reads the funnel's arguments (track, stage, town, industry, stale, paused: the current state) and the
history arguments below, which `filter_firms_by_history()` applies (all dates are local days in the bureau's zone,
inclusive; `track` is the track code):

- entered=<stage>&period_from=D1&period_to=D2 — the firm's record on `track` has a move INTO the stage between the
  start of D1 and the end of D2; with reason=<code> that move carries the reason code (reason=none: no code);
  with reached=1 that move is followed, before the end of D2, by a move into a higher ladder stage; with
  entry_class=first_time|repeat|restored that move into 认定 counted that way (新增, 重新认定, 恢复).
- left=<stage>&period_from=D1&period_to=D2 — a move OUT OF the stage in that window.
- stage_at=<stage>&at=D — the record's stage at the end of day D was `stage` (its last move before then went there).
- expires_by=D — the record is certified and its certificate expires between today and D.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from pipeline.dashboard.sql import at, ladder_rank
from pipeline.domain.periods import local_midnight
from pipeline.domain.stages import EntryClass, Stage
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, StageMove, Track

HISTORY_ARGS = ("entered", "left", "reason", "reached", "entry_class", "period_from", "period_to", "stage_at", "at",
                "expires_by")


class FilterError(ValueError):
    """A firm-list argument that cannot be read; the message is shown to the user."""


# --- building the arguments -------------------------------------------------------------------------------------

def _period(first: date, last: date) -> dict[str, str]:
    return {"period_from": first.isoformat(), "period_to": last.isoformat()}


def current_args(track: str, stage: str, **extra) -> dict[str, str]:
    """Firms whose record is in the stage now (extra: paused=1, stale=1, town=<id>, industry=<id>)."""
    return {"track": track, "stage": stage, **_scope(extra)}


def entered_args(track: str, stage: str, first: date, last: date, **extra) -> dict[str, str]:
    return {"track": track, "entered": stage, **_period(first, last), **_scope(extra)}


def left_args(track: str, stage: str, first: date, last: date, **extra) -> dict[str, str]:
    return {"track": track, "left": stage, **_period(first, last), **_scope(extra)}


def stage_at_args(track: str, stage: str, day: date, **extra) -> dict[str, str]:
    return {"track": track, "stage_at": stage, "at": day.isoformat(), **_scope(extra)}


def expiring_args(track: str, until: date) -> dict[str, str]:
    return {"track": track, "stage": Stage.CERTIFIED.value, "expires_by": until.isoformat()}


def _scope(extra: dict) -> dict[str, str]:
    return {key: str(value) for key, value in extra.items() if value is not None and value != ""}


# --- applying them ----------------------------------------------------------------------------------------------

def filter_firms_by_history(stmt, args: Mapping[str, str], *, zone: ZoneInfo, today: date):
    """Narrow a select() of Firm by the history arguments above; other arguments are left to the firm list."""
    if not any(args.get(name) for name in HISTORY_ARGS):
        return stmt
    code = args.get("track") or ""
    if not code:
        raise FilterError(_("请同时指定培育类别（track）。"))
    track_id = select(Track.id).where(Track.code == code).scalar_subquery()
    if args.get("entered") or args.get("left"):
        stmt = stmt.where(_moved(args, track_id, zone))
    if args.get("stage_at"):
        stmt = stmt.where(_stage_at(_stage(args["stage_at"]), _day(args.get("at"), "at"), track_id, zone))
    if args.get("expires_by"):
        until = _day(args["expires_by"], "expires_by")
        record = aliased(FirmTrack)  # its own name: the firm list's count selects from firm_track joined to firm
        stmt = stmt.where(select(record.id).where(
            record.firm_id == Firm.id, record.track_id == track_id, record.stage == Stage.CERTIFIED,
            record.expires_on >= today, record.expires_on <= until).correlate(Firm).exists())
    return stmt


def _moved(args: Mapping[str, str], track_id, zone: ZoneInfo):
    first, last = _day(args.get("period_from"), "period_from"), _day(args.get("period_to"), "period_to")
    if last < first:
        raise FilterError(_("结束日期不能早于开始日期。"))
    start, end = local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
    move = StageMove.__table__.alias("move")
    conditions = [move.c.firm_id == Firm.id, move.c.track_id == track_id,
                  move.c.moved_at >= at(start), move.c.moved_at < at(end)]
    if args.get("entered"):
        conditions.append(move.c.to_stage == _stage(args["entered"]))
        conditions += _reason_and_reached(args, move, end)
    else:
        conditions.append(move.c.from_stage == _stage(args["left"]))
    return select(move.c.id).where(*conditions).exists()


def _reason_and_reached(args: Mapping[str, str], move, end) -> list:
    conditions = []
    if args.get("entry_class"):
        if args["entry_class"] not in EntryClass._value2member_map_:
            raise FilterError(_("未知的认定类别：%(value)s", value=args["entry_class"]))
        conditions.append(move.c.entry_class == args["entry_class"])
    reason = args.get("reason")
    if reason:
        conditions.append(move.c.reason_code.is_(None) if reason == "none" else move.c.reason_code == reason)
    if args.get("reached") == "1":
        later = StageMove.__table__.alias("later")
        conditions.append(select(later.c.id).where(
            later.c.firm_track_id == move.c.firm_track_id,
            or_(later.c.moved_at > move.c.moved_at, and_(later.c.moved_at == move.c.moved_at, later.c.id > move.c.id)),
            later.c.moved_at < at(end), ladder_rank(later.c.to_stage) > ladder_rank(move.c.to_stage)).exists())
    return conditions


def _stage_at(stage: Stage, day: date, track_id, zone: ZoneInfo):
    moment = local_midnight(day + timedelta(days=1), zone)
    move = StageMove.__table__.alias("move")
    later = StageMove.__table__.alias("later")
    superseded = select(later.c.id).where(
        later.c.firm_track_id == move.c.firm_track_id, later.c.moved_at < at(moment),
        or_(later.c.moved_at > move.c.moved_at, and_(later.c.moved_at == move.c.moved_at, later.c.id > move.c.id)),
    ).exists()
    return select(move.c.id).where(move.c.firm_id == Firm.id, move.c.track_id == track_id,
                                   move.c.moved_at < at(moment), move.c.to_stage == stage, ~superseded).exists()


def _stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise FilterError(_("未知的阶段：%(value)s", value=value)) from None


def _day(value: str | None, name: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise FilterError(_("日期格式应为 YYYY-MM-DD（%(name)s）。", name=name)) from None
