"""The stage tally (migration 0014): the board's counts, kept by database triggers on both databases."""

from collections import Counter

from sqlalchemy import delete, func, insert, select, update

from pipeline.auth.models import Role
from pipeline.db import utcnow
from pipeline.domain.stages import Stage
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, StageTally, Track
from pipeline.funnel.queries import BoardFilter, count_by_stage
from pipeline.funnel.services import bulk_move, move_firm
from pipeline.funnel.tally import recount_stage_tally, tallied_by_stage


def counted(db) -> Counter:
    """(track, town, stage) → records, counted from the records themselves."""
    rows = db.session.execute(select(FirmTrack.track_id, Firm.town_id, FirmTrack.stage, func.count())
                              .join(Firm, Firm.id == FirmTrack.firm_id)
                              .group_by(FirmTrack.track_id, Firm.town_id, FirmTrack.stage))
    return Counter({(track, town, Stage(stage)): n for track, town, stage, n in rows})


def tallied(db) -> Counter:
    rows = db.session.execute(select(StageTally.track_id, StageTally.town_id, StageTally.stage,
                                     func.sum(StageTally.records))
                              .group_by(StageTally.track_id, StageTally.town_id, StageTally.stage))
    return Counter({(track, town, Stage(stage)): int(n) for track, town, stage, n in rows if n})


def test_the_tally_follows_every_way_records_and_firms_change(db, make_firm, make_town, place_firm, track_by_code):
    hill = make_town("回山镇")
    firms = [make_firm(town=hill if i % 2 else None) for i in range(6)]
    for firm in firms[:4]:
        place_firm(firm, "tech_sme", Stage.POOL)  # inserts, then moves, through move_firm
    place_firm(firms[4], "hnte", Stage.CULTIVATING)
    db.session.commit()
    assert tallied(db) == counted(db) and sum(counted(db).values()) == 5

    records = db.session.scalars(select(FirmTrack).where(FirmTrack.stage == Stage.POOL)).all()
    bulk_move([(r, r.version) for r in records[:2]], Stage.CULTIVATING, actor=None, now=utcnow())
    firms[0].town = hill if firms[0].town_id != hill.id else make_town("南明街道")  # a firm changes town
    db.session.commit()
    assert tallied(db) == counted(db)

    # SQL by hand: a many-row UPDATE, a firm deleted with its records (the cascade), a record deleted, a COPY-like
    # many-row INSERT.
    db.session.execute(update(FirmTrack).where(FirmTrack.stage == Stage.CULTIVATING).values(stage=Stage.PAUSED.value))
    db.session.execute(update(Firm).values(town_id=hill.id))
    db.session.execute(delete(Firm).where(Firm.id == firms[1].id))
    db.session.execute(delete(FirmTrack).where(FirmTrack.firm_id == firms[2].id))
    hnte = track_by_code("hnte")
    db.session.execute(insert(FirmTrack), [
        {"firm_id": firm.id, "track_id": hnte.id, "stage": Stage.SCREENING.value, "stage_entered_at": utcnow(),
         "last_activity_at": utcnow(), "pause_reason": "", "version": 1, "created_at": utcnow()}
        for firm in (firms[0], firms[3], firms[5])])
    db.session.commit()
    assert tallied(db) == counted(db) and sum(counted(db).values()) == 6


def test_a_recount_folds_the_rows_and_keeps_the_counts(db, make_firm, place_firm):
    for _ in range(3):
        place_firm(make_firm(), "tech_sme", Stage.CULTIVATING)
    db.session.commit()
    before = tallied(db)
    rows = db.session.scalar(select(func.count(StageTally.id)))
    assert rows > len(before)  # one row per change so far
    assert recount_stage_tally() == len(before)
    db.session.expire_all()
    assert tallied(db) == before == counted(db)
    assert db.session.scalar(select(func.count(StageTally.id))) == len(before)


def test_a_recount_mends_a_tally_that_drifted(db, make_firm, place_firm, track_by_code):
    place_firm(make_firm(), "tech_sme", Stage.POOL)
    db.session.execute(delete(StageTally))  # as if rows were lost
    db.session.commit()
    assert tallied(db) == Counter()
    recount_stage_tally()
    db.session.expire_all()
    assert tallied_by_stage(track_by_code("tech_sme").id) == {Stage.POOL: 1}


def test_board_counts_come_from_the_tally_by_town_and_scope(db, make_firm, make_town, make_user, place_firm,
                                                            track_by_code):
    hill, city = make_town("回山镇"), make_town("南明街道")
    officer = make_user(Role.OFFICER, display_name="赵专员")
    for town, stage in ((hill, Stage.POOL), (hill, Stage.POOL), (city, Stage.POOL), (city, Stage.SCREENING)):
        place_firm(make_firm(town=town, officer=officer if town is hill else None), "tech_sme", stage)
    limited = make_user(Role.OFFICER, display_name="钱专员")
    limited.towns = [hill]
    leader = make_user(Role.LEADER)
    db.session.commit()
    track = track_by_code("tech_sme")
    assert count_by_stage(track, leader) == {Stage.POOL: 3, Stage.SCREENING: 1}
    assert count_by_stage(track, leader, BoardFilter(town_id=hill.id)) == {Stage.POOL: 2}
    assert count_by_stage(track, limited) == {Stage.POOL: 2}
    assert count_by_stage(track, limited, BoardFilter(town_id=city.id)) == {}  # outside the officer's towns
    assert count_by_stage(track, leader, BoardFilter(officer_id=officer.id)) == {Stage.POOL: 2}  # counted
    # A stale tally would show: the counts are the tally's.
    db.session.execute(insert(StageTally).values(track_id=track.id, town_id=city.id, stage=Stage.POOL.value,
                                                 records=5))
    assert count_by_stage(track, leader)[Stage.POOL] == 8


def test_moving_a_record_appends_two_rows_and_a_move_to_the_same_stage_none(db, make_firm, place_firm):
    firm = make_firm()
    place_firm(firm, "tech_sme", Stage.SCREENING)
    db.session.commit()
    rows = db.session.scalar(select(func.count(StageTally.id)))
    record = db.session.scalar(select(FirmTrack).where(FirmTrack.firm_id == firm.id))
    record.last_activity_at = utcnow()  # a service record touches the record without moving it
    db.session.commit()
    assert db.session.scalar(select(func.count(StageTally.id))) == rows
    move_firm(record, Stage.POOL, actor=None, now=utcnow())
    db.session.commit()
    assert db.session.scalar(select(func.count(StageTally.id))) == rows + 2
    assert tallied_by_stage(record.track_id) == {Stage.POOL: 1}


def test_track_count_of_an_unused_track_is_empty(db, track_by_code):
    assert tallied_by_stage(db.session.scalar(select(func.max(Track.id))) + 1) == {}


def test_the_firm_list_counts_one_tracks_firms_by_town_from_the_tally(client, db, login_as, make_firm, make_town,
                                                                      place_firm, track_by_code):
    hill = make_town("回山镇")
    for i in range(36):  # 30 in 回山镇: more than a first page of 20, so the list needs a total
        place_firm(make_firm(town=hill if i % 6 else None), "tech_sme", Stage.POOL)
    login_as(Role.OFFICER)
    db.session.commit()
    tech = track_by_code("tech_sme")
    page = client.get(f"/firms/?track={tech.id}&town={hill.id}&per_page=20").get_data(as_text=True)
    assert "共 30 家" in page and "超过" not in page
    assert "共 30 家" in client.get(f"/firms/?track={tech.id}&stage=pool&town={hill.id}&per_page=20").get_data(
        as_text=True)
    db.session.execute(insert(StageTally).values(track_id=tech.id, town_id=hill.id, stage=Stage.POOL.value,
                                                 records=5))
    db.session.commit()  # a tally that drifted would show: the total is the tally's
    assert "共 35 家" in client.get(f"/firms/?track={tech.id}&town={hill.id}&per_page=20").get_data(as_text=True)
