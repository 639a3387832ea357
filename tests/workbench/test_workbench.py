"""The officer's workbench: today's to-dos of their firms, each with its action; "done" sticks; counts drop."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack
from pipeline.indicators.services import submit_year
from pipeline.reminders.models import HnteBatch, ProgramYear
from pipeline.workbench.queries import build_workbench
from tests.indicators.conftest import GOOD_YEAR

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)


def counts(user) -> dict[str, int]:
    board = build_workbench(user, now=NOW, today=TODAY)
    return {section.kind: section.count for section in board.sections}


@pytest.fixture
def officer_with_firms(db, make_user, make_firm, place_firm, make_town):
    officer = make_user(Role.OFFICER)
    mine = [make_firm(officer_id=officer.id, name=f"我的企业{i}有限公司") for i in range(3)]
    other = make_firm(name="别人的企业有限公司", town=make_town("羽林街道"))
    for firm in (*mine, other):
        record = place_firm(firm, "tech_sme", Stage.CULTIVATING, now=NOW - timedelta(days=400))
        db.session.execute(update(FirmTrack).where(FirmTrack.id == record.id)
                           .values(last_activity_at=NOW - timedelta(days=400)))
    for firm in (mine[0], other):
        submit_year(firm, 2025, GOOD_YEAR, actor=None, now=NOW)
    db.session.commit()
    return officer, mine, other


def test_the_workbench_counts_only_the_officers_firms(db, officer_with_firms):
    officer, mine, other = officer_with_firms
    found = counts(officer)
    assert found["verify"] == 1 and found["stale"] == 3 and found["expiry"] == 0
    names = {todo.firm_name for s in build_workbench(officer, now=NOW, today=TODAY).sections for todo in s.todos}
    assert "别人的企业有限公司" not in names


def test_a_certificate_expiring_soon_is_a_todo(db, make_user, make_firm, place_firm):
    officer = make_user(Role.OFFICER)
    firm = make_firm(officer_id=officer.id)
    record = place_firm(firm, "hnte", Stage.CERTIFIED, now=NOW)
    db.session.execute(update(FirmTrack).where(FirmTrack.id == record.id).values(expires_on=TODAY + timedelta(30)))
    db.session.commit()
    assert counts(officer)["expiry"] == 1


def test_done_sticks_until_the_thing_happens_again(client, db, login_as, officer_with_firms):
    officer, mine, _other = officer_with_firms
    login_as(user=officer)
    html = client.get("/workbench/").get_data(as_text=True)
    assert "工作台" in html and "我的企业0有限公司" in html and "记录服务" in html
    stale = next(s for s in build_workbench(officer, now=NOW, today=TODAY).sections if s.kind == "stale")
    response = client.post("/workbench/done", data={"kind": "stale", "ref_id": stale.todos[0].ref_id})
    assert response.status_code == 302 and response.headers["Location"] == "/workbench/"
    assert counts(officer)["stale"] == 2
    # A new submission of the same year after the mark brings the to-do back.
    verify = next(s for s in build_workbench(officer, now=NOW, today=TODAY).sections if s.kind == "verify")
    client.post("/workbench/done", data={"kind": "verify", "ref_id": verify.todos[0].ref_id})
    assert counts(officer)["verify"] == 0
    submit_year(mine[0], 2025, {**GOOD_YEAR, "employees": 120}, actor=None, now=datetime.now(UTC) + timedelta(1))
    db.session.commit()
    assert counts(officer)["verify"] == 1


def test_done_refuses_unknown_kinds_and_leaders(client, db, login_as, make_user):
    login_as(Role.OFFICER)
    assert client.post("/workbench/done", data={"kind": "nonsense", "ref_id": 1}).status_code == 400
    login_as(Role.LEADER)
    assert client.post("/workbench/done", data={"kind": "stale", "ref_id": 1}).status_code == 403


def test_officers_land_on_the_workbench_and_leaders_on_the_dashboard(client, login_as):
    login_as(Role.OFFICER)
    assert client.get("/").headers["Location"] == "/workbench/"
    login_as(Role.LEADER)
    assert client.get("/").headers["Location"] == "/dashboard/"


def test_this_weeks_deadline_and_incomplete_checklists_two_weeks_before(db, officer_with_firms):
    officer, mine, _other = officer_with_firms
    db.session.add(ProgramYear(year=2027, tech_sme_opens_on=date(2026, 11, 1), tech_sme_closes_on=date(2026, 12, 12)))
    db.session.add(HnteBatch(year=2027, due_on=date(2027, 4, 30)))
    db.session.commit()
    board = build_workbench(officer, now=NOW, today=TODAY)
    assert [todo.since for todo in board.deadlines] == [date(2026, 12, 12)]
    checklist = next(s for s in board.sections if s.kind == "checklist")
    assert checklist.count == 3  # their three firms in 培育 lack figures and documents


def test_the_workbench_costs_the_same_statements_for_few_and_many_firms(client, db, login_as, make_user, make_firm,
                                                                       place_firm, count_queries):
    officer = make_user(Role.OFFICER)
    login_as(user=officer)
    statements = []
    for _ in range(2):
        for _i in range(6):
            firm = make_firm(officer_id=officer.id)
            place_firm(firm, "tech_sme", Stage.CULTIVATING, now=NOW - timedelta(days=400))
        db.session.commit()
        with count_queries() as counted:
            assert client.get("/workbench/").status_code == 200
        statements.append(counted.count)
    assert statements[0] == statements[1]
