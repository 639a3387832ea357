"""The workbench's counts are exact: on a small county (bulk-built, as the bench's) each kind's count equals a plain
query over the records and their firms, for an officer who looks after firms and one limited to towns, with done marks,
firms that changed officer or town after their records were made (the copies kept by migration 0024's triggers) and,
before a deadline, firms whose checklist is complete or lacks only a condition."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import exists, func, or_, select, text, update

from pipeline.auth.models import Role
from pipeline.bulk_county import build_county
from pipeline.checklist.services import build_checklists
from pipeline.domain.stages import Stage
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import FirmTrack, Track
from pipeline.funnel.queries import stale_clause, stale_thresholds
from pipeline.reminders.models import HnteBatch
from pipeline.workbench.models import WorkbenchDone
from pipeline.workbench.queries import CHECKLIST_DAYS, EXPIRY_DAYS, build_workbench
from pipeline.workbench.services import mark_done
from tests.checklist.test_checklist import upload
from tests.indicators.conftest import add_figures  # noqa: F401

NOW = datetime(2026, 6, 30, 2, 0, tzinfo=UTC)
TODAY = date(2026, 6, 30)
HNTE_DOCUMENTS = [("business_license", None), ("ip_certificate", None), *(
    (code, year) for code in ("audit_report", "rd_audit") for year in (2023, 2024, 2025)),
    ("high_tech_revenue_audit", 2025), ("application", 2026)]


def firms_of(user):
    """The firms an officer works on, written the plain way: their own or their towns'; neither: every firm."""
    towns = [town.id for town in user.towns]
    if towns:
        return or_(Firm.officer_id == user.id, Firm.town_id.in_(towns))
    return Firm.officer_id == user.id


def not_marked(user, kind: str, since):
    return ~exists().where(WorkbenchDone.user_id == user.id, WorkbenchDone.kind == kind,
                           WorkbenchDone.ref_id == FirmTrack.id, WorkbenchDone.done_at >= since)


def plain_counts(db, user) -> dict[str, int]:
    records = select(func.count()).select_from(FirmTrack).join(Firm, Firm.id == FirmTrack.firm_id).where(
        firms_of(user))
    stale = db.session.scalar(records.where(stale_clause(NOW, stale_thresholds()),
                                            not_marked(user, "stale", FirmTrack.last_activity_at)))
    expiry = db.session.scalar(records.where(
        FirmTrack.stage == Stage.CERTIFIED, FirmTrack.expires_on.between(TODAY, TODAY + timedelta(EXPIRY_DAYS)),
        not_marked(user, "expiry", FirmTrack.stage_entered_at)))
    candidates = db.session.execute(select(FirmTrack.id, FirmTrack.firm_id).join(Firm, Firm.id == FirmTrack.firm_id)
                                    .join(Track).where(firms_of(user), Track.code == "hnte",
                                                       FirmTrack.stage == Stage.CULTIVATING,
                                                       not_marked(user, "checklist",
                                                                  NOW - timedelta(CHECKLIST_DAYS)))).all()
    checklists = build_checklists({firm for _record, firm in candidates}, TODAY)
    incomplete = sum(1 for _record, firm in candidates
                     if not next(c for c in checklists[firm] if c.track == "hnte").complete)
    return {"stale": stale, "expiry": expiry, "checklist": incomplete, "verify": 0, "verify_facts": 0}


def counts(user) -> dict[str, int]:
    return {section.kind: section.count for section in build_workbench(user, now=NOW, today=TODAY).sections}


@pytest.fixture
def county(db, make_user, make_firm, place_firm, add_figures):  # noqa: F811
    """A bulk county of 240 firms, two officers (one limited to two towns) and, 10 days before a 高企 batch, three
    firms in 培育 on 高企 with every document: one meeting every condition, one lacking one, one lacking figures."""
    build_county(240, now=NOW)
    own, limited = make_user(Role.OFFICER), make_user(Role.OFFICER)
    towns = list(db.session.scalars(select(Town).order_by(Town.id).limit(3)))
    limited.towns = towns[:2]
    db.session.execute(update(Firm).where(Firm.id % 3 == 0).values(officer_id=own.id))  # after their records
    db.session.execute(update(Firm).where(Firm.id % 7 == 1).values(officer_id=limited.id))
    db.session.execute(update(Firm).where(Firm.id.in_([4, 5, 6])).values(town_id=towns[0].id))
    db.session.add(HnteBatch(year=2026, due_on=TODAY + timedelta(days=10)))
    ready = [add_figures(make_firm(registered_on=date(2015, 1, 1), officer_id=own.id)),
             add_figures(make_firm(registered_on=date(2015, 1, 1), officer_id=own.id), facts={"ip_class_i": 0,
                                                                                             "ip_class_ii": 0}),
             make_firm(registered_on=date(2015, 1, 1), officer_id=own.id)]
    for firm in ready:
        place_firm(firm, "hnte", Stage.CULTIVATING, now=NOW)
        for code, year in HNTE_DOCUMENTS:
            upload(db, firm, code, year, actor=own)
    db.session.commit()
    return own, limited, ready


def test_counts_equal_a_plain_query_on_a_small_county(db, county):
    own, limited, ready = county
    for user in (own, limited):
        found, plain = counts(user), plain_counts(db, user)
        assert found == plain, (user.towns, found, plain)
    assert counts(own)["stale"] > 10 and counts(own)["expiry"] > 0 and counts(own)["checklist"] > 2
    checklists = build_checklists([firm.id for firm in ready], TODAY)
    assert [next(c for c in checklists[f.id] if c.track == "hnte").complete for f in ready] == [True, False, False]


def test_marks_changes_of_officer_and_town_keep_the_counts_exact(db, county):
    own, limited, _ready = county
    board = build_workbench(own, now=NOW, today=TODAY)
    for section in board.sections:
        for todo in section.todos[:2]:
            mark_done(own, todo.kind, todo.ref_id, now=NOW)
    # A mark older than the record's last activity no longer hides it.
    stale = next(s for s in board.sections if s.kind == "stale").todos[2]
    mark_done(own, "stale", stale.ref_id, now=datetime(2020, 1, 1, tzinfo=UTC))
    db.session.execute(update(Firm).where(Firm.id.in_([10, 11, 12, 13])).values(officer_id=limited.id))
    db.session.execute(update(Firm).where(Firm.id.in_([21, 22])).values(town_id=limited.towns[1].id))
    db.session.commit()
    for user in (own, limited):
        assert counts(user) == plain_counts(db, user)
    copies = text("select count(*) from firm_track r join firm f on f.id = r.firm_id "
                  "where r.town_id is not f.town_id or r.officer_id is not f.officer_id")
    if db.engine.dialect.name == "postgresql":
        copies = text(str(copies).replace("is not", "is distinct from"))
    assert db.session.scalar(copies) == 0


def test_the_short_lists_are_the_first_of_each_kind(db, county):
    own, _limited, _ready = county
    board = build_workbench(own, now=NOW, today=TODAY)
    stale = next(s for s in board.sections if s.kind == "stale")
    first = db.session.scalars(select(FirmTrack.id).join(Firm, Firm.id == FirmTrack.firm_id).where(
        firms_of(own), stale_clause(NOW, stale_thresholds())).order_by(FirmTrack.last_activity_at, FirmTrack.id)
        .limit(8)).all()
    assert [todo.ref_id for todo in stale.todos] == first
    checklist = next(s for s in board.sections if s.kind == "checklist")
    assert len(checklist.todos) == 8 and all("申报清单尚缺" in todo.text for todo in checklist.todos)
