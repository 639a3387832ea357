"""A province-sized demo county built with bulk inserts: `flask seed-demo --firms 100000`.

The everyday demo (pipeline/demo.py) moves each firm through move_firm and renders real certificates, which is right
for 300 firms and far too slow for 100,000. This builder writes the same tables directly, in chunks of plain rows:
firms, ~1.8 records per firm spread over every stage, about ten history rows per record over five years (pool and
certificate numbers on the moves that gave them), three fiscal years of indicators and the facts per firm, service
records for the firms in cultivation and a valid 入库证书 row for every record in the pool (its PDF is rendered when it
is first downloaded). It only runs on a database without firms: the numbers it hands out would collide otherwise.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update

from pipeline.db import advance_id_sequence, bulk_insert, sqlite_page_cache
from pipeline.domain.stages import (
    ExitReason,
    MoveRequest,
    RecordState,
    Stage,
    TrackRule,
    check_transition,
    format_pool_number,
)
from pipeline.extensions import db
from pipeline.funnel.services import apply_outcome

# Above this many firms `flask seed-demo` takes the bulk path.
BULK_THRESHOLD = 5_000
CHUNK = 20_000
BULK_CACHE_KIB = 256 * 1024  # SQLite page cache during the load
DAY = timedelta(days=1)
_NEXT = {Stage.SCREENING: Stage.POOL, Stage.POOL: Stage.CULTIVATING, Stage.CULTIVATING: Stage.CERTIFIED}
_MEAN_DAYS = {Stage.SCREENING: 60, Stage.POOL: 120, Stage.CULTIVATING: 180}
# Exit reasons of the walk (a revocation or falsified data would bar re-entry to 科小: left to real officers).
_EXIT_REASONS = [reason for reason in ExitReason if reason not in (ExitReason.REVOKED, ExitReason.FALSIFIED)]
_EXIT_NOTE = "企业另有安排"  # an exit for "other" reasons needs a note
_PAUSE_NOTE = "企业申请暂缓"


class CountyNotEmpty(Exception):
    pass


@dataclass
class _Move:
    """One history row, as move_firm writes it."""

    at: datetime
    from_stage: Stage | None
    to_stage: Stage
    reason_code: str | None = None
    note: str = ""
    pool_number: str | None = None
    certificate_number: str | None = None
    issued_on: date | None = None
    expires_on: date | None = None
    resume_on: date | None = None
    entry_class: str | None = None


@dataclass
class _Record:
    """One firm's walk through one track, as plain values."""

    moves: list[_Move] = field(default_factory=list)
    stage: Stage | None = None
    pool_number: str | None = None
    certificate_number: str | None = None
    certified_on: date | None = None
    expires_on: date | None = None
    paused_until: date | None = None
    pause_reason: str = ""
    paused_from: Stage | None = None
    exit_reason: str | None = None
    revoked_year: int | None = None
    stage_entered_at: datetime | None = None
    last_activity_at: datetime | None = None
    level: str | None = None

    def state(self) -> RecordState:
        return RecordState(stage=self.stage, paused_from=self.paused_from, certified_on=self.certified_on,
                           expires_on=self.expires_on, revoked_year=self.revoked_year,
                           certificate_number=self.certificate_number, exit_reason=self.exit_reason)


class _Numbers:
    """Pool numbers per track and year, as next_pool_number would have handed them out (with the county's
    行政区划代码 in front when it has one)."""

    def __init__(self, prefix: str = ""):
        self.last: Counter[tuple[str, int]] = Counter()
        self.prefix = prefix

    def pool(self, short_name: str, year: int) -> str:
        self.last[(short_name, year)] += 1
        return self.prefix + format_pool_number(short_name, year, self.last[(short_name, year)])


def walk_record(rng: random.Random, track: TrackRule, start: datetime, now: datetime, numbers: _Numbers,
                zone: ZoneInfo) -> _Record:
    """A plausible history for one record, from its entry into 遴选 up to now: each move is decided by the domain's
    check_transition, as move_firm decides it."""
    record = _Record()
    _move(record, start, MoveRequest(Stage.SCREENING), track, numbers, zone)
    at = start
    while True:
        stage, request = record.stage, None
        if stage in _NEXT:
            at += DAY * rng.expovariate(1 / _MEAN_DAYS[stage])
            roll = rng.random()
            if roll < 0.07:
                reason = rng.choice(_EXIT_REASONS)
                request = MoveRequest(Stage.REMOVED, reason_code=reason,
                                      note=_EXIT_NOTE if reason is ExitReason.OTHER else "")
            elif roll < 0.14 and stage == Stage.CULTIVATING:
                request = MoveRequest(Stage.FAILED)
            else:
                request = MoveRequest(_NEXT[stage])
        elif stage == Stage.CERTIFIED:
            at = datetime.combine(record.expires_on + DAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=3)
            request = MoveRequest(Stage.EXPIRED)
        elif stage == Stage.EXPIRED and rng.random() < 0.8:
            at += DAY * rng.expovariate(1 / 30)  # certified again, or back to cultivation first
            request = MoveRequest(Stage.CERTIFIED if rng.random() < 0.7 else Stage.CULTIVATING)
        elif stage == Stage.FAILED and rng.random() < 0.6:
            at += DAY * rng.expovariate(1 / 90)
            request = MoveRequest(Stage.CULTIVATING)  # tries again next year
        elif stage == Stage.REMOVED and rng.random() < 0.3:
            at += DAY * rng.expovariate(1 / 300)
            request = MoveRequest(Stage.SCREENING)  # re-enters
        if request is None or at >= now:
            break
        if request.to_stage is Stage.CERTIFIED:
            request = _with_certificate(request, rng, track, at.astimezone(zone).date())
        _move(record, at, request, track, numbers, zone)
    if record.stage in (Stage.POOL, Stage.CULTIVATING) and rng.random() < 0.03:
        pause_at = max(record.moves[-1].at, now - DAY * rng.randrange(1, 60))
        resume = (now + DAY * rng.randrange(10, 200)).date()
        _move(record, pause_at, MoveRequest(Stage.PAUSED, note=_PAUSE_NOTE, resume_on=resume), track, numbers, zone)
    return record


def _with_certificate(request: MoveRequest, rng: random.Random, track: TrackRule, issued: date) -> MoveRequest:
    """The certificate of a 认定 issued that day, numbered as the track's rule wants."""
    if track.validity_rule == "calendar_year":  # 入库登记编号: the registration year first
        number = f"{issued.year}3306{rng.randrange(10**6, 10**7)}"
    else:  # GR + year + province 33 + six digits
        number = f"GR{issued.year}33{rng.randrange(10**6):06d}"
    return replace(request, certificate_number=number, issued_on=issued)


def _move(record: _Record, at: datetime, request: MoveRequest, track: TrackRule, numbers: _Numbers,
          zone: ZoneInfo) -> None:
    """Decide the move with check_transition on the bureau's calendar day and copy its outcome onto the record with
    funnel.services' own apply_outcome; a refusal means the walk proposed a move the rules forbid (a bug here)."""
    local_day = at.astimezone(zone).date()
    outcome = check_transition(track, record.state(), request, today=local_day)
    pool_number = numbers.pool(track.short_name, local_day.year) if outcome.assign_pool_number else None
    record.moves.append(_Move(at, record.stage, outcome.to_stage, reason_code=outcome.exit_reason, note=request.note,
                              pool_number=pool_number, certificate_number=outcome.certificate_number,
                              issued_on=outcome.certified_on, expires_on=outcome.expires_on,
                              resume_on=outcome.paused_until,
                              entry_class=outcome.entry_class.value if outcome.entry_class else None))
    apply_outcome(record, outcome, at, pool_number)


def build_county(firm_count: int, *, now: datetime, seed: int = 7, county_id: int | None = None) -> dict[str, int]:
    """Insert a county of firm_count firms in bulk into a database without firms; return the row counts.

    With `county_id`, into that county of a deployment of several (bench/bench_tenancy.py), which must have no firms
    yet: the build runs in the county's scope (its towns, industries, officers and rows are its own), firm and record
    ids continue above the database's largest, credit codes follow the firm ids and pool numbers carry the county's
    行政区划代码, so that the counties' keys never clash."""
    if county_id is None:
        with sqlite_page_cache(db.session.connection(), BULK_CACHE_KIB):
            return _build_county(firm_count, now=now, seed=seed)
    from pipeline.tenancy.scope import authority_tree, county_scope, use_scope

    code = authority_tree(db.session)[county_id].code
    with use_scope(county_scope(county_id), db.session), \
            sqlite_page_cache(db.session.connection(), BULK_CACHE_KIB):
        return _build_county(firm_count, now=now, seed=seed, ids_after=_largest_ids(),
                             numbers=_Numbers(f"{code}-" if code else ""))


def _largest_ids() -> tuple[int, int]:
    """The largest firm and record ids of every county (read as the table owner: a county's scope sees its own)."""
    from pipeline.firms.models import Firm
    from pipeline.funnel.models import FirmTrack
    from pipeline.tenancy.scope import as_table_owner

    connection = db.session.connection()
    with as_table_owner(connection):
        return tuple(connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()
                     for table in (Firm.__table__, FirmTrack.__table__))


def _build_county(firm_count: int, *, now: datetime, seed: int, ids_after: tuple[int, int] = (0, 0),
                  numbers: _Numbers | None = None) -> dict[str, int]:
    from pipeline.auth.models import Role, User
    from pipeline.certificates.bulk import insert_pending_certificates
    from pipeline.demo import INDUSTRIES, TOWNS, demo_credit_code, demo_firm_name, ensure_named
    from pipeline.firms.models import Firm, Industry, Town
    from pipeline.firms.sort_key import name_sort_key
    from pipeline.funnel.models import FirmTrack, PoolCounter, Track
    from pipeline.funnel.services import track_rule
    from pipeline.funnel.tally import recount_stage_tally
    from pipeline.i18n import local_zone
    from pipeline.tenancy.scope import as_table_owner, county_for_new_rows

    if db.session.scalar(select(func.count(Firm.id))):
        raise CountyNotEmpty("大规模演示数据只能装入没有企业的数据库。")
    towns = {name: town.id for name, town in ensure_named(Town, TOWNS).items()}
    industries = {name: industry.id for name, industry in ensure_named(Industry, INDUSTRIES).items()}
    tracks = {track.code: (track.id, track_rule(track)) for track in db.session.scalars(select(Track))}
    officers = list(db.session.scalars(select(User.id).where(User.role == Role.OFFICER).order_by(User.id)))
    rng, numbers, zone = random.Random(seed), numbers or _Numbers(), local_zone()
    five_years = (now - datetime(now.year - 5, 1, 1, tzinfo=UTC)).days
    batch = _Batch(now, now.astimezone(zone).date(), first_record_id=ids_after[1] + 1)
    counts = Counter()
    for index in range(1, firm_count + 1):
        industry = rng.choice(INDUSTRIES)
        name = demo_firm_name(rng, industry, index)
        firm_id = ids_after[0] + index
        batch.firms.append({
            "id": firm_id, "credit_code": demo_credit_code(firm_id), "name": name, "name_sort_key": name_sort_key(name),
            "town_id": towns[rng.choice(TOWNS)], "industry_id": industries[industry],
            "registered_on": date(2008, 1, 1) + DAY * rng.randrange(0, 17 * 365),
            "address": "", "legal_rep": "", "contact_name": "", "contact_phone": "",
            "contact_email": f"contact{firm_id}@example.com", "officer_id": rng.choice(officers) if officers else None,
            "notes": "", "created_at": now, "updated_at": now})
        stages = set()
        for code in ("tech_sme", "hnte"):
            if code == "hnte" and rng.random() > 0.8 or code not in tracks:
                continue
            track_id, rule = tracks[code]
            record = walk_record(rng, rule, now - DAY * rng.uniform(0, five_years), now, numbers, zone)
            batch.add_record(firm_id, track_id, record)
            stages.add(record.stage)
        batch.add_figures(firm_id, rng, stages)
        batch.add_services(firm_id, rng, stages, officers)
        if len(batch.moves) >= CHUNK:
            batch.flush(counts)
    batch.flush(counts)
    with as_table_owner(db.session.connection()):  # a county's scope may not set a sequence, nor see every id
        for model in (Firm, FirmTrack):  # their ids were given here: new firms and records continue above them
            advance_id_sequence(db.session.connection(), model.__table__)
    for (short_name, year), last in numbers.last.items():
        track_id = next(track_id for track_id, rule in tracks.values() if rule.short_name == short_name)
        db.session.execute(insert(PoolCounter), [{"county_id": county_for_new_rows(), "track_id": track_id,
                                                  "year": year, "last_value": last}])
    counts["certificates"] = insert_pending_certificates(now)  # rows only: each PDF renders on its first download
    db.session.flush()
    recount_stage_tally(db.session.connection())  # the records' triggers appended a row each: fold them
    return dict(counts)


class _Batch:
    """Rows waiting for the next bulk insert."""

    def __init__(self, now: datetime, today: date, first_record_id: int = 1):
        self.now, self.today = now, today  # today: the bureau's calendar day (fiscal years follow it)
        self.firms, self.records, self.moves, self.years, self.facts, self.services = [], [], [], [], [], []
        self.next_record_id = first_record_id

    def add_record(self, firm_id: int, track_id: int, record: _Record) -> None:
        self.record_id, self.next_record_id = self.next_record_id, self.next_record_id + 1
        self.records.append({
            "id": self.record_id, "firm_id": firm_id, "track_id": track_id, "stage": record.stage.value,
            "stage_entered_at": record.stage_entered_at, "last_activity_at": record.last_activity_at,
            "pool_number": record.pool_number,
            "certificate_number": record.certificate_number, "certified_on": record.certified_on,
            "expires_on": record.expires_on, "paused_until": record.paused_until,
            "pause_reason": record.pause_reason,
            "paused_from": record.paused_from.value if record.paused_from else None, "exit_reason": record.exit_reason,
            "revoked_year": record.revoked_year,
            "version": len(record.moves), "created_at": record.moves[0].at})
        for move in record.moves:
            self.moves.append({
                "firm_track_id": self.record_id, "firm_id": firm_id, "track_id": track_id,
                "from_stage": move.from_stage.value if move.from_stage else None, "to_stage": move.to_stage.value,
                "moved_at": move.at, "reason_code": move.reason_code, "note": move.note, "skipped": False,
                "pool_number": move.pool_number, "certificate_number": move.certificate_number,
                "issued_on": move.issued_on, "expires_on": move.expires_on, "resume_on": move.resume_on,
                "entry_class": move.entry_class})

    def add_figures(self, firm_id: int, rng: random.Random, stages: set[Stage]) -> None:
        from pipeline.indicators.demo import demo_firm_figures, demo_kind

        years, facts = demo_firm_figures(rng, firm_id, demo_kind(rng, {str(s) for s in stages}), self.today, self.now)
        self.years.extend(years)
        self.facts.append(facts)

    def add_services(self, firm_id: int, rng: random.Random, stages: set[Stage], officers: list[int]) -> None:
        from pipeline.firms.models import ServiceKind

        if not stages & {Stage.POOL, Stage.CULTIVATING, Stage.CERTIFIED}:
            return
        for _ in range(rng.randint(1, 4)):
            self.services.append({"firm_id": firm_id, "served_on": (self.now - DAY * rng.randrange(1, 700)).date(),
                                  "kind": rng.choice(list(ServiceKind)).value, "note": "走访了解研发投入与知识产权布局",
                                  "officer_id": rng.choice(officers) if officers else None, "created_at": self.now})

    def flush(self, counts: Counter) -> None:
        from pipeline.firms.models import Firm, ServiceRecord
        from pipeline.funnel.models import FirmTrack, StageMove
        from pipeline.indicators.models import FirmFacts, FirmYear

        for name, model, rows in (("firms", Firm, self.firms), ("records", FirmTrack, self.records),
                                  ("moves", StageMove, self.moves), ("years", FirmYear, self.years),
                                  ("facts", FirmFacts, self.facts), ("services", ServiceRecord, self.services)):
            bulk_insert(db.session.connection(), model.__table__, rows)
            counts[name] += len(rows)
            rows.clear()


def seed_bulk_demo(firm_count: int, *, now: datetime, password_min_length: int) -> tuple[dict[str, int], list]:
    """The county, then the demo users (the firm user gets firm 1) and their firms by town, as seed_demo does."""
    from pipeline.demo import assign_officers, ensure_demo_users
    from pipeline.firms.models import Firm, ServiceRecord, Town

    counts = build_county(firm_count, now=now)
    users = ensure_demo_users({town.name: town for town in db.session.scalars(select(Town))}, password_min_length)
    assign_officers()
    # The services were recorded by the firm's own officer (the officers exist only now).
    db.session.execute(update(ServiceRecord).where(ServiceRecord.officer_id.is_(None)).values(
        officer_id=select(Firm.officer_id).where(Firm.id == ServiceRecord.firm_id).scalar_subquery()))
    return counts, users
