"""Every stage change goes through move_firm(): the domain table decides, history is appended, the record updated.

Board drag and drop, the move form, bulk moves, the CLI and imports all call move_firm(); nothing else writes
FirmTrack.stage. Services flush, never commit: the caller commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from pipeline.auth.models import Role, User
from pipeline.domain.stages import (
    EntryClass,
    MoveRequest,
    Outcome,
    RecordState,
    Stage,
    TrackRule,
    TransitionRefused,
    check_transition,
    format_pool_number,
)
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.firms.models import Firm, ServiceRecord
from pipeline.funnel.models import FirmTrack, PoolCounter, StageMove, StageSetting, Track
from pipeline.funnel.queries import list_stale, stale_thresholds  # noqa: F401  (re-exported for other features)
from pipeline.signals import stage_changed
from pipeline.tenancy.scope import authority_tree


class RecordChanged(TransitionRefused):  # noqa: N818
    """Someone else changed the record since the user loaded it; the caller rolls back and shows the new state.

    `flushed` is True when the conflict surfaced in the database (the whole transaction must be rolled back),
    False when the version the user saw was already out of date (nothing was written).
    """

    def __init__(self, *, flushed: bool = False):
        super().__init__(N_("该记录刚被其他人修改过，您的操作未执行。请查看最新状态后重试。"))
        self.flushed = flushed


def track_rule(track: Track) -> TrackRule:
    return TrackRule(code=track.code, short_name=track.short_name, validity_rule=track.validity_rule,
                     validity_years=track.validity_years, number_pattern=track.number_pattern,
                     number_hint=track.number_hint, levelled=track.levelled)


def record_state(record: FirmTrack | None) -> RecordState:
    if record is None:
        return RecordState()
    return RecordState(stage=record.stage, paused_from=record.paused_from, certified_on=record.certified_on,
                       expires_on=record.expires_on, revoked_year=record.revoked_year,
                       certificate_number=record.certificate_number, level=record.level,
                       exit_reason=record.exit_reason)


def acts_as_admin(actor: User | None) -> bool:
    """Admins may skip stages; so may the system itself (actor None: CLI, imports, jobs)."""
    return actor is None or actor.role is Role.ADMIN


def local_today(now: datetime) -> date:
    from pipeline.i18n import to_local

    return to_local(now).date()


def find_record(firm: Firm, track: Track) -> FirmTrack | None:
    return db.session.scalar(select(FirmTrack).where(FirmTrack.firm_id == firm.id, FirmTrack.track_id == track.id))


def move_firm(target: FirmTrack | tuple[Firm, Track], to_stage: Stage | str, *, actor: User | None, now: datetime,
              today: date | None = None, reason_code: str | None = None, note: str = "",
              certificate_number: str | None = None, issued_on: date | None = None, resume_on: date | None = None,
              level: str | None = None, expected_version: int | None = None) -> StageMove:
    """Move one firm on one track: check, append the history row, update the record, flush, send stage_changed.

    `target` is the FirmTrack, or (firm, track) — which creates the record when the firm enters 遴选 (or, for an
    admin, a later stage). `expected_version` is the version the user saw (0: not on the track); a mismatch, or a
    concurrent change caught at flush, raises RecordChanged. A refusal raises TransitionRefused; nothing changed.
    """
    record, firm, track = _resolve(target)
    if expected_version is not None and expected_version != (record.version if record else 0):
        raise RecordChanged()
    today = today or local_today(now)
    request = MoveRequest(to_stage=Stage(to_stage), is_admin=acts_as_admin(actor), reason_code=reason_code or None,
                          note=(note or "").strip(), certificate_number=certificate_number, issued_on=issued_on,
                          resume_on=resume_on, level=level or None)
    outcome = check_transition(track_rule(track), record_state(record), request, today=today)
    pool_number = next_pool_number(track, today.year, firm.county_id) if outcome.assign_pool_number else None
    from_stage = record.stage if record else None
    if record is None:
        record = FirmTrack(firm=firm, track=track, stage=outcome.to_stage, stage_entered_at=now, last_activity_at=now)
        db.session.add(record)
    apply_outcome(record, outcome, now, pool_number)
    move = StageMove(firm_track=record, firm_id=firm.id, track_id=track.id, from_stage=from_stage,
                     to_stage=outcome.to_stage, moved_at=now, actor=actor, reason_code=outcome.exit_reason,
                     note=request.note, skipped=outcome.skipped, certificate_number=outcome.certificate_number,
                     pool_number=pool_number, issued_on=outcome.certified_on, expires_on=outcome.expires_on,
                     resume_on=outcome.paused_until, entry_class=outcome.entry_class,
                     level=outcome.level)
    db.session.add(move)
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        raise RecordChanged(flushed=True) from None  # another transaction moved (or created) this record first
    stage_changed.send(record, move=move, actor=actor, now=now)
    return move


def _resolve(target) -> tuple[FirmTrack | None, Firm, Track]:
    if isinstance(target, FirmTrack):
        return target, target.firm, target.track
    firm, track = target
    return find_record(firm, track), firm, track


def apply_outcome(record, outcome: Outcome, now: datetime, pool_number: str | None) -> None:
    """Copy what the domain decided onto the record: a FirmTrack, or the bulk county's plain record."""
    record.stage = outcome.to_stage
    record.stage_entered_at = now
    record.last_activity_at = max(record.last_activity_at or now, now)
    if pool_number:
        record.pool_number = pool_number
    if outcome.to_stage is Stage.CERTIFIED:
        record.certificate_number = outcome.certificate_number
        record.certified_on, record.expires_on = outcome.certified_on, outcome.expires_on
        if outcome.level and (record.level is None or outcome.entry_class is EntryClass.FIRST_TIME):
            record.level = outcome.level  # the highest level recognised at
    record.paused_until, record.pause_reason, record.paused_from = (
        outcome.paused_until, outcome.pause_reason, outcome.paused_from)
    record.exit_reason = outcome.exit_reason
    if outcome.revoked_year:
        record.revoked_year = outcome.revoked_year


def next_pool_number(track: Track, year: int, county_id: int) -> str:
    """Take the next pool number of a county's track and year in one atomic statement: concurrent moves never share
    one. Each county numbers its own; a county with a 行政区划代码 puts it in front (330624-科小-2026-0001), so that
    the numbers of several counties in one deployment never clash."""
    statement = _pool_counter_upsert(db.session.get_bind().dialect.name)
    value = db.session.execute(statement, {"county_id": county_id, "track_id": track.id, "year": year}).scalar_one()
    number = format_pool_number(track.short_name, year, value)
    county = authority_tree(db.session).get(county_id)
    return f"{county.code}-{number}" if county and county.code else number


@cache
def _pool_counter_upsert(dialect_name: str):
    """Built once per dialect: every move into 入库 runs it."""
    table = PoolCounter.__table__
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return (insert(table).values(county_id=bindparam("county_id"), track_id=bindparam("track_id"),
                                 year=bindparam("year"), last_value=1)
            .on_conflict_do_update(index_elements=[table.c.county_id, table.c.track_id, table.c.year],
                                   set_={"last_value": table.c.last_value + 1})
            .returning(table.c.last_value))


def add_firm_to_track(firm: Firm, track: Track, *, actor: User | None, now: datetime, note: str = "",
                      expected_version: int | None = None) -> StageMove:
    """Put a firm on a track: it enters 遴选 through move_firm, which creates the record."""
    return move_firm((firm, track), Stage.SCREENING, actor=actor, now=now, note=note,
                     expected_version=expected_version)


@dataclass
class BulkResult:
    moved: list[StageMove] = field(default_factory=list)
    refused: list[tuple[FirmTrack, TransitionRefused]] = field(default_factory=list)


def bulk_move(items: list[tuple[FirmTrack, int | None]], to_stage: Stage | str, *, actor: User | None,
              now: datetime, **details) -> BulkResult:
    """Move several records; each is checked on its own. `items` pairs a record with the version the user saw.

    A refused record is listed with its reason and the others still move. `details` are move_firm's keyword
    arguments (reason_code, note, certificate_number, issued_on, resume_on).
    """
    result = BulkResult()
    today = local_today(now)
    for record, version in items:
        try:
            result.moved.append(move_firm(record, to_stage, actor=actor, now=now, today=today,
                                          expected_version=version, **details))
        except TransitionRefused as refusal:
            if getattr(refusal, "flushed", False):
                raise  # the transaction is broken: the caller rolls everything back

            result.refused.append((record, refusal))
    return result


def record_service(firm: Firm, *, served_on: date, kind: str, note: str, actor: User | None,
                   now: datetime) -> ServiceRecord:
    """Add a 服务台账 entry and restart the stale clock of the firm's records (without bumping their version)."""
    service = ServiceRecord(firm_id=firm.id, served_on=served_on, kind=kind, note=(note or "").strip(), officer=actor,
                            created_at=now)
    db.session.add(service)
    at = min(now, datetime.combine(served_on, time(4, 0), tzinfo=UTC))  # noon in China on the day served
    db.session.execute(update(FirmTrack).where(FirmTrack.firm_id == firm.id, FirmTrack.last_activity_at < at)
                       .values(last_activity_at=at).execution_options(synchronize_session="fetch"))
    db.session.flush()
    return service


def set_stale_thresholds(values: dict[Stage, int | None]) -> None:
    """Save the admin's thresholds (None: never stale)."""
    existing = {row.stage: row for row in db.session.scalars(select(StageSetting))}
    for stage, days in values.items():
        row = existing.get(stage) or StageSetting(stage=stage)
        row.stale_days = days
        db.session.add(row)
    db.session.flush()
