"""The province-scale demo county: `flask seed-demo --firms N` above the bulk threshold."""

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from pipeline.auth.models import Role, User
from pipeline.domain.credit_code import validate_credit_code
from pipeline.domain.stages import IN_POOL, TRANSITIONS, Stage
from pipeline.firms.models import Firm, FirmSearchGram, ServiceRecord
from pipeline.firms.text_search import ascii_lower, pieces
from pipeline.funnel.models import FirmTrack, PoolCounter, StageMove, Track
from pipeline.indicators.models import FirmFacts, FirmYear


@pytest.fixture
def bulk_county(runner, db, monkeypatch):
    """A 240-firm county through the bulk path (its threshold lowered so that the test stays small)."""
    monkeypatch.setattr("pipeline.bulk_county.BULK_THRESHOLD", 50)
    result = runner.invoke(args=["seed-demo", "--firms", "240"])
    assert result.exit_code == 0, result.output
    return result.output


def test_bulk_seed_prints_counts_and_demo_logins(bulk_county, db):
    assert "企业 240 家" in bulk_county and "Demo-Officer-2026" in bulk_county
    assert db.session.scalar(select(func.count(Firm.id))) == 240
    codes = list(db.session.scalars(select(Firm.credit_code)))
    assert len(set(codes)) == 240 and all(validate_credit_code(code) == code for code in codes)
    names = list(db.session.scalars(select(Firm.name)))
    assert len(set(names)) == 240 and all(name.endswith("有限公司") for name in names)


def test_bulk_firms_are_in_the_search_index(bulk_county, db):
    """The bulk path writes firms with COPY on PostgreSQL: the gram triggers index them all the same."""
    firm = db.session.scalars(select(Firm).order_by(Firm.id.desc())).first()
    grams = set(db.session.scalars(select(FirmSearchGram.gram).where(FirmSearchGram.firm_id == firm.id)))
    assert grams == set(pieces(ascii_lower(firm.name), 2)) | set(pieces(firm.credit_code, 3))
    assert db.session.scalar(select(func.count(func.distinct(FirmSearchGram.firm_id)))) == 240


def test_every_history_follows_the_transition_table_and_ends_in_the_record_stage(bulk_county, db):
    moves = db.session.execute(select(StageMove.firm_track_id, StageMove.from_stage, StageMove.to_stage,
                                      StageMove.moved_at).order_by(StageMove.firm_track_id, StageMove.moved_at,
                                                                   StageMove.id)).all()
    by_record: dict[int, list] = {}
    for record_id, from_stage, to_stage, moved_at in moves:
        by_record.setdefault(record_id, []).append((from_stage, to_stage, moved_at))
    records = db.session.scalars(select(FirmTrack)).all()
    assert 1.5 * 240 < len(records) < 2 * 240 and len(moves) > 4 * len(records)
    for record in records:
        history = by_record[record.id]
        assert history[0][:2] == (None, Stage.SCREENING)
        for (_, previous_to, _), (from_stage, to_stage, _) in zip(history, history[1:], strict=False):
            assert from_stage is previous_to
            origin = TRANSITIONS[from_stage if from_stage is not Stage.PAUSED else record.paused_from]
            assert to_stage in origin, (from_stage, to_stage)
        assert history[-1][1] is record.stage
        assert record.stage_entered_at == record.last_activity_at == history[-1][2] <= datetime.now(UTC)


def test_records_carry_what_their_stage_needs(bulk_county, db):
    records = db.session.scalars(select(FirmTrack)).all()
    stages = Counter(record.stage for record in records)
    assert {Stage.SCREENING, Stage.POOL, Stage.CULTIVATING, Stage.CERTIFIED, Stage.EXPIRED} <= set(stages)
    for record in records:
        if record.stage in IN_POOL:
            assert record.pool_number
        if record.stage in (Stage.CERTIFIED, Stage.EXPIRED):
            assert record.certificate_number and record.certified_on and record.expires_on
        if record.stage is Stage.PAUSED:
            assert record.paused_until and record.paused_from in (Stage.POOL, Stage.CULTIVATING)
        if record.stage is Stage.REMOVED:
            assert record.exit_reason
    numbers = [record.pool_number for record in records if record.pool_number]
    assert len(numbers) == len(set(numbers))
    # The counters continue where the builder stopped: the next move into the pool gets a fresh number.
    for counter in db.session.scalars(select(PoolCounter)):
        short = db.session.get(Track, counter.track_id).short_name
        issued = [int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith(f"{short}-{counter.year}-")]
        assert max(issued) <= counter.last_value


def test_indicators_services_and_people(bulk_county, db):
    # Three fiscal years a firm, except the few demo firms that never filed their middle year (their 高企 verdict is
    # 待定); every firm has last year's figures.
    years = db.session.scalar(select(func.count(FirmYear.id)))
    assert 2.8 * 240 <= years < 3 * 240
    last = db.session.scalar(select(func.max(FirmYear.fiscal_year)))
    assert db.session.scalar(select(func.count(FirmYear.id)).where(FirmYear.fiscal_year == last)) == 240
    assert db.session.scalar(select(func.count(FirmFacts.id))) == 240
    assert db.session.scalar(select(func.count(ServiceRecord.id))) > 0
    assert db.session.scalar(select(func.count(ServiceRecord.id)).join(Firm, Firm.id == ServiceRecord.firm_id)
                             .where(ServiceRecord.officer_id.is_distinct_from(Firm.officer_id))) == 0
    assert db.session.scalar(select(func.count(Firm.id)).where(Firm.officer_id.is_(None))) == 0
    officer2 = db.session.scalar(select(User).where(User.username == "officer2"))
    towns = {town.id for town in officer2.towns}
    assert {firm.town_id for firm in db.session.scalars(select(Firm).where(Firm.officer_id == officer2.id))} <= towns
    firm_user = db.session.scalar(select(User).where(User.role == Role.FIRM))
    assert firm_user.firm_id == db.session.scalar(select(func.min(Firm.id)))


def test_bulk_seed_refuses_a_database_with_firms_and_writes_nothing(bulk_county, runner, db):
    moves = db.session.scalar(select(func.count(StageMove.id)))
    again = runner.invoke(args=["seed-demo", "--firms", "240"])
    assert again.exit_code != 0 and "只能装入没有企业的数据库" in again.output
    assert db.session.scalar(select(func.count(Firm.id))) == 240
    assert db.session.scalar(select(func.count(StageMove.id))) == moves


def test_pages_of_the_bulk_county_render(bulk_county, client, db, login_as):
    firm_user = db.session.scalar(select(User).where(User.role == Role.FIRM))
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    busiest = db.session.scalar(select(StageMove.firm_id).group_by(StageMove.firm_id)
                                .order_by(func.count().desc()).limit(1))
    login_as(user=officer)
    for url in ("/firms/", "/funnel/", f"/firms/{busiest}", "/dashboard/"):
        assert client.get(url).status_code == 200, url
    login_as(user=firm_user)
    assert client.get("/portal/").status_code == 200


def test_new_firms_and_records_continue_above_the_bulk_ids(bulk_county, db):
    from pipeline.db import utcnow
    from pipeline.demo import demo_credit_code
    from pipeline.funnel.services import add_firm_to_track

    town_id = db.session.scalar(select(Firm.town_id).limit(1))
    firm = Firm(credit_code=demo_credit_code(999_999), name="后来新建的企业有限公司", town_id=town_id)
    db.session.add(firm)
    db.session.flush()
    track = db.session.scalar(select(Track).where(Track.code == "tech_sme"))
    move = add_firm_to_track(firm, track, actor=None, now=utcnow())
    db.session.commit()
    assert firm.id == 241
    assert move.firm_track_id > db.session.scalar(select(func.max(FirmTrack.id)).where(FirmTrack.firm_id != firm.id))


def test_numbers_and_issue_dates_follow_the_bureau_calendar(bulk_county, app, db):
    from pipeline.i18n import to_local

    moves = db.session.execute(select(StageMove.moved_at, StageMove.pool_number, StageMove.issued_on)
                               .where((StageMove.pool_number.is_not(None)) | (StageMove.issued_on.is_not(None)))).all()
    assert moves
    with app.test_request_context():
        for moved_at, pool_number, issued_on in moves:
            local_day = to_local(moved_at).date()
            if pool_number:
                assert pool_number.split("-")[1] == str(local_day.year)
            if issued_on:
                assert issued_on == local_day


def test_services_and_history_use_only_what_the_app_knows(bulk_county, db):
    """Service kinds and exit reasons are the app's own codes (the UI has labels for them); a pause carries its note
    and no reason code, an exit for "other" reasons its note, as move_firm writes them."""
    from pipeline.domain.stages import ExitReason
    from pipeline.firms.models import ServiceKind

    kinds = set(db.session.scalars(select(ServiceRecord.kind).distinct()))
    assert kinds and kinds <= {kind.value for kind in ServiceKind}
    exits = db.session.execute(select(StageMove.reason_code, StageMove.note)
                               .where(StageMove.to_stage == Stage.REMOVED)).all()
    assert exits and all(code in set(ExitReason) - {ExitReason.REVOKED} for code, _note in exits)
    assert all(note for code, note in exits if code == ExitReason.OTHER)
    pauses = db.session.execute(select(StageMove.reason_code, StageMove.note, StageMove.resume_on)
                                .where(StageMove.to_stage == Stage.PAUSED)).all()
    assert all(code is None and note and resume for code, note, resume in pauses)


def test_bulk_insert_fills_the_defaults_a_row_leaves_out(db, make_firm):
    """COPY on PostgreSQL sends only the columns named: the Python-side defaults (note "", skipped False,
    created_at now) must be filled in as an INSERT would, on both databases."""
    from pipeline.db import bulk_insert
    from pipeline.firms.models import ServiceKind

    firm = make_firm()
    bulk_insert(db.session.connection(), ServiceRecord.__table__,
                [{"firm_id": firm.id, "served_on": datetime(2026, 5, 1).date(), "kind": ServiceKind.VISIT.value}])
    service = db.session.scalars(select(ServiceRecord).where(ServiceRecord.firm_id == firm.id)).one()
    assert service.note == "" and service.created_at is not None


def test_the_load_enlarges_the_sqlite_page_cache_only_while_it_runs(app, db, monkeypatch):
    from pipeline import bulk_county

    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("a PRAGMA of SQLite")
    sizes = []
    monkeypatch.setattr(bulk_county, "_build_county", lambda *_a, **_k: sizes.append(
        connection.exec_driver_sql("PRAGMA cache_size").scalar()) or {})
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    bulk_county.build_county(10, now=datetime(2026, 11, 28, tzinfo=UTC))
    assert sizes == [-bulk_county.BULK_CACHE_KIB]
    assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == before != sizes[0]
