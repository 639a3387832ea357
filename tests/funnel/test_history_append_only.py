"""The stage history and the service ledger are append-only in the database itself (issue 18, finding 9): plain
SQL, not only the ORM, cannot change or delete their rows; a firm's or user's deletion still cascades."""

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.firms.models import ServiceRecord
from pipeline.funnel.models import StageMove


def raw(db, sql: str, **params):
    """Run one statement on its own connection and commit it (a refusal rolls back only that connection)."""
    with db.engine.connect() as conn:
        result = conn.execute(text(sql), params)
        conn.commit()
        return result.rowcount


def moves(db, firm_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(StageMove.id)).where(StageMove.firm_id == firm_id))


@pytest.fixture
def history(db, make_firm, make_user, place_firm):
    officer = make_user(Role.OFFICER)
    firm = make_firm()
    place_firm(firm, "tech_sme", Stage.POOL, actor=officer)
    db.session.add(ServiceRecord(firm_id=firm.id, served_on=date(2026, 4, 1), kind="visit", note="走访"))
    db.session.commit()
    return firm, officer


@pytest.mark.parametrize("change", ["note = 'rewritten'", "to_stage = 'certified'", "moved_at = moved_at",
                                    "actor_id = NULL", "firm_id = firm_id"])
def test_an_sql_update_of_the_history_is_refused(db, history, change):
    firm, _officer = history
    with pytest.raises(DBAPIError, match="append-only"):
        raw(db, f"UPDATE stage_move SET {change} WHERE firm_id = :firm", firm=firm.id)  # noqa: S608
    assert db.session.scalar(select(func.count()).where(StageMove.note == "rewritten")) == 0


def test_an_sql_delete_of_the_history_is_refused(db, history):
    firm, _officer = history
    with pytest.raises(DBAPIError, match="append-only"):
        raw(db, "DELETE FROM stage_move WHERE firm_id = :firm", firm=firm.id)
    assert moves(db, firm.id) == 2


def test_an_sql_delete_of_the_service_ledger_is_refused(db, history):
    firm, _officer = history
    with pytest.raises(DBAPIError, match="append-only"):
        raw(db, "DELETE FROM service_record WHERE firm_id = :firm", firm=firm.id)
    assert raw(db, "UPDATE service_record SET note = '走访（补记）' WHERE firm_id = :firm", firm=firm.id) == 1


def test_deleting_a_firm_still_takes_its_history_and_ledger_with_it(db, history):
    firm, _officer = history
    raw(db, "DELETE FROM firm WHERE id = :firm", firm=firm.id)
    assert moves(db, firm.id) == 0
    assert db.session.scalar(select(func.count(ServiceRecord.id))) == 0


def test_deleting_the_acting_user_only_clears_the_actor(db, history):
    firm, officer = history
    raw(db, 'DELETE FROM "user" WHERE id = :user', user=officer.id)
    db.session.expire_all()
    rows = db.session.scalars(select(StageMove).where(StageMove.firm_id == firm.id)).all()
    assert len(rows) == 2 and all(row.actor_id is None for row in rows)
