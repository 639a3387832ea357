"""Two officers at once, in two threads with their own connections, against the live test database."""

import threading

import pytest
from sqlalchemy import func, select

import pipeline.funnel.services as services
from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack, StageMove

JSON = {"Accept": "application/json"}


@pytest.fixture
def in_step(monkeypatch):
    """Call it once the data is set up: both requests then finish their checks before either writes,
    so the race is certain, not lucky."""
    def arm():
        barrier = threading.Barrier(2, timeout=15)
        check = services.check_transition

        def check_then_wait(*args, **kwargs):
            outcome = check(*args, **kwargs)
            barrier.wait()
            return outcome

        monkeypatch.setattr(services, "check_transition", check_then_wait)

    return arm


def post_at_once(app, requests, in_step):
    """POST (user, url, data) requests, each from its own thread and client; return [(status, json)]."""
    in_step()
    results = [None] * len(requests)

    def run(index, token, url, data):
        client = app.test_client()
        with app.app_context():
            with client.session_transaction() as session:
                session["_user_id"] = token
                session["_fresh"] = True
            response = client.post(url, data=data, headers=JSON)
        results[index] = (response.status_code, response.get_json())

    # Read what the threads need here: the test's own session must not be used from another thread.
    jobs = [(i, user.session_token, url, data) for i, (user, url, data) in enumerate(requests)]
    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_officers_moving_one_record_at_once_exactly_one_wins(app, db, make_firm, make_user, place_firm,
                                                                  in_step):
    record = place_firm(make_firm(), "tech_sme", Stage.POOL)
    first, second = make_user(Role.OFFICER), make_user(Role.OFFICER)
    db.session.commit()
    seen, url = record.version, f"/funnel/firms/{record.firm_id}/tech_sme/move"
    history = db.session.scalar(select(func.count()).select_from(StageMove))
    results = post_at_once(app, [
        (first, url, {"to": "cultivating", "version": seen}),
        (second, url, {"to": "removed", "reason_code": "withdrawn", "version": seen}),
    ], in_step)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    winner = next(body for status, body in results if status == 200)
    loser = next(body for status, body in results if status == 409)
    assert "刚被其他人修改过" in loser["error"]
    assert loser["stage"] == winner["stage"] and loser["version"] == winner["version"] == seen + 1
    db.session.expire_all()
    assert db.session.get(FirmTrack, record.id).stage.value == winner["stage"]
    assert db.session.scalar(select(func.count()).select_from(StageMove)) == history + 1


def test_two_firms_entering_the_pool_at_once_get_different_numbers(app, db, make_firm, make_user, place_firm,
                                                                    in_step):
    records = [place_firm(make_firm(), "hnte", Stage.SCREENING) for _ in range(2)]
    officers = [make_user(Role.OFFICER), make_user(Role.OFFICER)]
    db.session.commit()
    results = post_at_once(app, [(officer, f"/funnel/firms/{r.firm_id}/hnte/move", {"to": "pool"})
                                 for officer, r in zip(officers, records, strict=True)], in_step)
    assert [status for status, _ in results] == [200, 200], results
    db.session.expire_all()
    numbers = sorted(db.session.scalars(select(FirmTrack.pool_number).where(FirmTrack.id.in_([r.id for r in records]))))
    assert len(set(numbers)) == 2 and all(n.startswith("高企-") for n in numbers)
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2]


def test_two_officers_adding_the_same_firm_to_a_track_at_once(app, db, make_firm, make_user, in_step):
    firm = make_firm()
    officers = [make_user(Role.OFFICER), make_user(Role.OFFICER)]
    db.session.commit()
    url = f"/funnel/firms/{firm.id}/tech_sme/move"
    results = post_at_once(app, [(officer, url, {"to": "screening", "version": 0}) for officer in officers], in_step)
    assert sorted(status for status, _ in results) == [200, 409], results
    assert db.session.scalar(select(func.count()).select_from(FirmTrack).where(FirmTrack.firm_id == firm.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(StageMove).where(StageMove.firm_id == firm.id)) == 1
