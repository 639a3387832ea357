"""Statements per move: a fixed handful whatever the size of the county, so that an N+1 cannot creep back."""

from sqlalchemy.orm import joinedload

from pipeline.auth.models import Role
from pipeline.db import utcnow
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack
from pipeline.funnel.services import move_firm

# The pool number, the record, its history row and the new 入库证书 (one INSERT … ON CONFLICT, not rendered).
STATEMENTS_PER_MOVE_INTO_THE_POOL = 4


def test_a_move_into_the_pool_runs_a_fixed_handful_of_statements(db, make_firm, place_firm, count_queries):
    record_id = place_firm(make_firm(), "tech_sme", Stage.SCREENING).id
    db.session.commit()
    record = db.session.get(FirmTrack, record_id, options=[joinedload(FirmTrack.firm)])
    with count_queries() as counted:
        move_firm(record, Stage.POOL, actor=None, now=utcnow())
    # +1: the live 惠企政策 the firm is matched against again (issue 25), read once per transaction.
    assert counted.count == STATEMENTS_PER_MOVE_INTO_THE_POOL + 1, counted.statements
    assert not any("SELECT firm" in s or "SELECT stage_move" in s for s in counted.statements)


def test_the_bulk_page_adds_only_the_moves_own_statements_per_firm(client, db, login_as, make_firm, place_firm,
                                                                   count_queries):
    login_as(Role.OFFICER)

    def post_bulk(count: int) -> int:
        records = [place_firm(make_firm(), "tech_sme", Stage.SCREENING) for _ in range(count)]
        ticked = [f"{r.id}:{r.version}" for r in records]
        db.session.commit()
        with count_queries() as counted:
            response = client.post("/funnel/bulk?track=tech_sme&stage=screening", data={"to": "pool", "record": ticked})
        assert response.status_code == 200 and f"已调整 {count} 家" in response.get_data(as_text=True)
        return counted.count

    few, more = post_bulk(2), post_bulk(6)
    assert more - few == 4 * STATEMENTS_PER_MOVE_INTO_THE_POOL
