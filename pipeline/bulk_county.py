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
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update

from pipeline.db import advance_id_sequence, bulk_insert
from pipeline.domain.deadlines import hnte_expiry, tech_sme_expiry
from pipeline.domain.stages import IN_POOL, Stage, format_pool_number
from pipeline.extensions import db

# Above this many firms `flask seed-demo` takes the bulk path.
BULK_THRESHOLD = 5_000
CHUNK = 20_000
DAY = timedelta(days=1)
_NEXT = {Stage.SCREENING: Stage.POOL, Stage.POOL: Stage.CULTIVATING, Stage.CULTIVATING: Stage.CERTIFIED}
_MEAN_DAYS = {Stage.SCREENING: 60, Stage.POOL: 120, Stage.CULTIVATING: 180}
_EXIT_REASONS = ("no_longer_eligible", "withdrawn", "moved_away", "deregistered", "other")
_SERVICE_KINDS = ("visit", "policy", "training", "matchmaking", "other")


class CountyNotEmpty(Exception):
    pass


@dataclass
class _Move:
    at: datetime
    from_stage: Stage | None
    to_stage: Stage
    reason: str | None = None
    pool_number: str | None = None
    certificate_number: str | None = None
    issued_on: date | None = None
    expires_on: date | None = None
    resume_on: date | None = None


@dataclass
class _Record:
    """One firm's walk through one track, as plain values."""

    moves: list[_Move]
    stage: Stage
    pool_number: str | None = None
    certificate_number: str | None = None
    certified_on: date | None = None
    expires_on: date | None = None
    paused_until: date | None = None
    paused_from: Stage | None = None
    exit_reason: str | None = None


class _Numbers:
    """Pool numbers per track and year, as next_pool_number would have handed them out."""

    def __init__(self):
        self.last: Counter[tuple[str, int]] = Counter()

    def pool(self, short_name: str, year: int) -> str:
        self.last[(short_name, year)] += 1
        return format_pool_number(short_name, year, self.last[(short_name, year)])


def walk_record(rng: random.Random, track: str, short_name: str, start: datetime, now: datetime,
                numbers: _Numbers, zone: ZoneInfo) -> _Record:
    """A plausible history for one record, from its entry into 遴选 up to now, along TRANSITIONS only."""
    record = _Record([_Move(start, None, Stage.SCREENING)], Stage.SCREENING)
    at = start
    while True:
        stage, move = record.stage, None
        if stage in _NEXT:
            at += DAY * rng.expovariate(1 / _MEAN_DAYS[stage])
            roll = rng.random()
            if roll < 0.07:
                move = _Move(at, stage, Stage.REMOVED, reason=rng.choice(_EXIT_REASONS))
            elif roll < 0.14 and stage == Stage.CULTIVATING:
                move = _Move(at, stage, Stage.FAILED)
            else:
                move = _Move(at, stage, _NEXT[stage])
        elif stage == Stage.CERTIFIED:
            at = datetime.combine(record.expires_on + DAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=3)
            move = _Move(at, stage, Stage.EXPIRED)
        elif stage == Stage.EXPIRED and rng.random() < 0.8:
            at += DAY * rng.expovariate(1 / 30)  # certified again, or back to cultivation first
            move = _Move(at, stage, Stage.CERTIFIED if rng.random() < 0.7 else Stage.CULTIVATING)
        elif stage == Stage.FAILED and rng.random() < 0.6:
            at += DAY * rng.expovariate(1 / 90)
            move = _Move(at, stage, Stage.CULTIVATING)  # tries again next year
        elif stage == Stage.REMOVED and rng.random() < 0.3:
            at += DAY * rng.expovariate(1 / 300)
            move = _Move(at, stage, Stage.SCREENING)  # re-enters
        if move is None or move.at >= now:
            break
        _apply(record, move, rng, track, short_name, numbers, zone)
    if record.stage in (Stage.POOL, Stage.CULTIVATING) and rng.random() < 0.03:
        pause_at = max(record.moves[-1].at, now - DAY * rng.randrange(1, 60))
        resume = (now + DAY * rng.randrange(10, 200)).date()
        _apply(record, _Move(pause_at, record.stage, Stage.PAUSED, reason="other", resume_on=resume), rng, track,
               short_name, numbers, zone)
    return record


def _apply(record: _Record, move: _Move, rng: random.Random, track: str, short_name: str, numbers: _Numbers,
           zone: ZoneInfo) -> None:
    local_day = move.at.astimezone(zone).date()  # numbers and issue dates follow the bureau's calendar
    if move.to_stage in IN_POOL and move.from_stage not in IN_POOL:
        record.pool_number = move.pool_number = numbers.pool(short_name, local_day.year)
    if move.to_stage == Stage.CERTIFIED:
        issued = local_day
        if track == "tech_sme":  # 入库登记编号: the registration year first; valid to the end of that year
            number = f"{issued.year}3306{rng.randrange(10**6, 10**7)}"
            expires = tech_sme_expiry(number)
        else:  # GR + year + province 33 + six digits; valid three years
            number, expires = f"GR{issued.year}33{rng.randrange(10**6):06d}", hnte_expiry(issued)
        record.certificate_number = move.certificate_number = number
        record.certified_on, record.expires_on = move.issued_on, move.expires_on = issued, expires
    if move.to_stage == Stage.PAUSED:
        record.paused_from, record.paused_until = move.from_stage, move.resume_on
    record.exit_reason = move.reason if move.to_stage == Stage.REMOVED else None
    record.moves.append(move)
    record.stage = move.to_stage


def build_county(firm_count: int, *, now: datetime, seed: int = 7) -> dict[str, int]:
    """Insert a county of firm_count firms in bulk into a database without firms; return the row counts."""
    from pipeline.auth.models import Role, User
    from pipeline.demo import INDUSTRIES, TOWNS, demo_credit_code, demo_firm_name
    from pipeline.firms.models import Firm, Industry, Town
    from pipeline.funnel.models import FirmTrack, PoolCounter, Track
    from pipeline.i18n import local_zone

    if db.session.scalar(select(func.count(Firm.id))):
        raise CountyNotEmpty("大规模演示数据只能装入没有企业的数据库。")
    for model, names in ((Town, TOWNS), (Industry, INDUSTRIES)):
        present = set(db.session.scalars(select(model.name)))
        missing = [{"name": name, "sort_order": i} for i, name in enumerate(names) if name not in present]
        if missing:
            db.session.execute(insert(model), missing)
    towns = dict(db.session.execute(select(Town.name, Town.id)).all())
    industries = dict(db.session.execute(select(Industry.name, Industry.id)).all())
    tracks = {code: (track_id, short) for track_id, code, short in
              db.session.execute(select(Track.id, Track.code, Track.short_name)).all()}
    officers = list(db.session.scalars(select(User.id).where(User.role == Role.OFFICER).order_by(User.id)))
    rng, numbers, zone = random.Random(seed), _Numbers(), local_zone()
    five_years = (now - datetime(now.year - 5, 1, 1, tzinfo=UTC)).days
    batch = _Batch(now)
    counts = Counter()
    for index in range(1, firm_count + 1):
        industry = rng.choice(INDUSTRIES)
        batch.firms.append({
            "id": index, "credit_code": demo_credit_code(index), "name": demo_firm_name(rng, industry, index),
            "town_id": towns[rng.choice(TOWNS)], "industry_id": industries[industry],
            "registered_on": date(2008, 1, 1) + DAY * rng.randrange(0, 17 * 365),
            "address": "", "legal_rep": "", "contact_name": "", "contact_phone": "",
            "contact_email": f"contact{index}@example.com", "officer_id": rng.choice(officers) if officers else None,
            "notes": "", "created_at": now, "updated_at": now})
        stages = set()
        for code in ("tech_sme", "hnte"):
            if code == "hnte" and rng.random() > 0.8 or code not in tracks:
                continue
            track_id, short_name = tracks[code]
            record = walk_record(rng, code, short_name, now - DAY * rng.uniform(0, five_years), now, numbers, zone)
            batch.add_record(index, track_id, record)
            stages.add(record.stage)
        batch.add_figures(index, rng, stages)
        batch.add_services(index, rng, stages, officers)
        if len(batch.moves) >= CHUNK:
            batch.flush(counts)
    batch.flush(counts)
    for model in (Firm, FirmTrack):  # their ids were given here: new firms and records continue above them
        advance_id_sequence(db.session.connection(), model.__table__)
    for (short_name, year), last in numbers.last.items():
        track_id = next(track_id for track_id, short in tracks.values() if short == short_name)
        db.session.execute(insert(PoolCounter), [{"track_id": track_id, "year": year, "last_value": last}])
    _issue_certificates(now, counts)
    db.session.flush()
    return dict(counts)


class _Batch:
    """Rows waiting for the next bulk insert."""

    def __init__(self, now: datetime):
        self.now = now
        self.firms, self.records, self.moves, self.years, self.facts, self.services = [], [], [], [], [], []
        self.record_id = 0

    def add_record(self, firm_id: int, track_id: int, record: _Record) -> None:
        self.record_id += 1
        last = record.moves[-1].at
        self.records.append({
            "id": self.record_id, "firm_id": firm_id, "track_id": track_id, "stage": record.stage.value,
            "stage_entered_at": last, "last_activity_at": last, "pool_number": record.pool_number,
            "certificate_number": record.certificate_number, "certified_on": record.certified_on,
            "expires_on": record.expires_on, "paused_until": record.paused_until,
            "pause_reason": "企业申请暂缓" if record.paused_until else "",
            "paused_from": record.paused_from.value if record.paused_from else None, "exit_reason": record.exit_reason,
            "version": len(record.moves), "created_at": record.moves[0].at})
        for move in record.moves:
            self.moves.append({
                "firm_track_id": self.record_id, "firm_id": firm_id, "track_id": track_id,
                "from_stage": move.from_stage.value if move.from_stage else None, "to_stage": move.to_stage.value,
                "moved_at": move.at, "reason_code": move.reason, "note": "", "skipped": False,
                "pool_number": move.pool_number, "certificate_number": move.certificate_number,
                "issued_on": move.issued_on, "expires_on": move.expires_on, "resume_on": move.resume_on})

    def add_figures(self, firm_id: int, rng: random.Random, stages: set[Stage]) -> None:
        from pipeline.indicators.demo import demo_facts, demo_kind, demo_stamp, demo_year

        kind = demo_kind(rng, {str(stage) for stage in stages})
        sales = {"small": rng.uniform(300, 1500), "large": rng.uniform(15000, 40000)}.get(kind, rng.uniform(1500, 12000))
        stamp = demo_stamp(self.now)
        for back in (3, 2, 1):
            self.years.append({"firm_id": firm_id, "fiscal_year": self.now.year - back, **stamp,
                               **demo_year(rng, kind, sales, rng.uniform(1.0, 1.35))})
        self.facts.append({"firm_id": firm_id, **stamp, **demo_facts(rng, kind)})

    def add_services(self, firm_id: int, rng: random.Random, stages: set[Stage], officers: list[int]) -> None:
        if not stages & {Stage.POOL, Stage.CULTIVATING, Stage.CERTIFIED}:
            return
        for _ in range(rng.randint(1, 4)):
            self.services.append({"firm_id": firm_id, "served_on": (self.now - DAY * rng.randrange(1, 700)).date(),
                                  "kind": rng.choice(_SERVICE_KINDS), "note": "走访了解研发投入与知识产权布局",
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


def _issue_certificates(now: datetime, counts: Counter) -> None:
    """A valid 入库证书 row for every record in the pool; the PDF is rendered on its first download."""
    try:
        from pipeline.certificates.bulk import insert_pending_certificates
    except ImportError:  # certificates render at issue time: the bulk county goes without them
        return
    counts["certificates"] = insert_pending_certificates(now)


def seed_bulk_demo(firm_count: int, *, now: datetime, password_min_length: int) -> tuple[dict[str, int], list]:
    """The county, then the demo users (the firm user gets firm 1) and their firms by town, as seed_demo does."""
    from pipeline.auth.models import Role, User
    from pipeline.demo import ensure_demo_users
    from pipeline.firms.models import Firm, ServiceRecord, Town

    counts = build_county(firm_count, now=now)
    users = ensure_demo_users({town.name: town for town in db.session.scalars(select(Town))}, password_min_length)
    officers = {u.username: u for u in db.session.scalars(select(User).where(User.role == Role.OFFICER))}
    if "officer" in officers:
        db.session.execute(update(Firm).where(Firm.officer_id.is_(None)).values(officer_id=officers["officer"].id))
    if "officer2" in officers:
        limited = officers["officer2"]
        db.session.execute(update(Firm).where(Firm.town_id.in_([t.id for t in limited.towns]))
                           .values(officer_id=limited.id))
    # The services were recorded by the firm's own officer (the officers exist only now).
    db.session.execute(update(ServiceRecord).where(ServiceRecord.officer_id.is_(None)).values(
        officer_id=select(Firm.officer_id).where(Firm.id == ServiceRecord.firm_id).scalar_subquery()))
    return counts, users
