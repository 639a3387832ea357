"""Today's to-dos of an officer, for the firms they look after (or their towns), with a fixed number of queries
whatever the county's size: per kind one count and one short list, each without the to-dos marked done."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select

from pipeline.auth.models import Role, User
from pipeline.checklist.services import build_checklists, next_deadlines
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, Track
from pipeline.funnel.queries import stale_clause, stale_thresholds
from pipeline.indicators.models import FirmFacts, FirmYear, Source, Status
from pipeline.workbench.models import WorkbenchDone

SHOWN = 8  # to-dos listed per kind; the count links to the whole list
EXPIRY_DAYS = 90
DEADLINE_DAYS = 7
CHECKLIST_DAYS = 14


@dataclass(frozen=True)
class Todo:
    kind: str  # the done mark's kind
    ref_id: int
    firm_id: int
    firm_name: str
    text: str
    since: date | datetime | None = None


@dataclass
class Section:
    kind: str
    title: str
    count: int
    todos: list[Todo] = field(default_factory=list)


def scope(stmt, user: User):
    """The firms an officer works on: their own (Firm.officer_id) and those of the towns they are limited to; an
    officer with neither, and other staff, see every firm."""
    if user.role is not Role.OFFICER:
        return stmt
    towns = {town.id for town in user.towns}
    if towns:
        return stmt.where(or_(Firm.officer_id == user.id, Firm.town_id.in_(towns)))
    return stmt.where(Firm.officer_id == user.id) if _looks_after_firms(user) else stmt


def _looks_after_firms(user: User) -> bool:
    from flask import g

    if "workbench_own_firms" not in g:
        g.workbench_own_firms = db.session.scalar(select(exists().where(Firm.officer_id == user.id)))
    return g.workbench_own_firms


def _not_done(user: User, kind: str, ref_column, since_column):
    return ~exists().where(WorkbenchDone.user_id == user.id, WorkbenchDone.kind == kind,
                           WorkbenchDone.ref_id == ref_column, WorkbenchDone.done_at >= since_column)


def _section(user: User, kind: str, title: str, stmt, columns, text, order, since=None) -> Section:
    """One count and one short list of a to-do kind (stmt: a SELECT of the rows, joined to Firm)."""
    stmt = scope(stmt, user)
    count = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(columns[0]).subquery()))
    rows = db.session.execute(stmt.with_only_columns(*columns).order_by(*order).limit(SHOWN)).all()
    return Section(kind, title, count, [Todo(kind, row[0], row[1], row[2], text(row), row[3] if len(row) > 3 else since)
                                        for row in rows])


def verify_section(user: User) -> Section:
    model = FirmYear
    stmt = (select(FirmYear.id).join(Firm, Firm.id == FirmYear.firm_id)
            .where(FirmYear.source == Source.FIRM.value, FirmYear.status == Status.PENDING.value,
                   _not_done(user, "verify", FirmYear.id, FirmYear.updated_at)))
    return _section(user, "verify", _("企业填报待核实"), stmt,
                    (model.id, Firm.id, Firm.name, model.updated_at, model.fiscal_year),
                    lambda row: _("%(year)s 年度指标", year=row[4]), (model.updated_at, model.id))


def facts_section(user: User) -> Section:
    stmt = (select(FirmFacts.id).join(Firm, Firm.id == FirmFacts.firm_id)
            .where(FirmFacts.source == Source.FIRM.value, FirmFacts.status == Status.PENDING.value,
                   _not_done(user, "verify_facts", FirmFacts.id, FirmFacts.updated_at)))
    return _section(user, "verify_facts", _("企业填报待核实（知识产权等情况）"), stmt,
                    (FirmFacts.id, Firm.id, Firm.name, FirmFacts.updated_at), lambda row: _("知识产权等情况"),
                    (FirmFacts.updated_at, FirmFacts.id))


def stale_section(user: User, now: datetime) -> Section:
    stmt = (select(FirmTrack.id).join(Firm, Firm.id == FirmTrack.firm_id).join(Track, Track.id == FirmTrack.track_id)
            .where(stale_clause(now, stale_thresholds()),
                   _not_done(user, "stale", FirmTrack.id, FirmTrack.last_activity_at)))
    return _section(user, "stale", _("久未跟进"), stmt,
                    (FirmTrack.id, Firm.id, Firm.name, FirmTrack.last_activity_at, Track.short_name),
                    lambda row: _("%(track)s · 最近跟进 %(date)s", track=row[4], date=row[3].date().isoformat()),
                    (FirmTrack.last_activity_at, FirmTrack.id))


def expiry_section(user: User, today: date) -> Section:
    stmt = (select(FirmTrack.id).join(Firm, Firm.id == FirmTrack.firm_id).join(Track, Track.id == FirmTrack.track_id)
            .where(FirmTrack.stage == Stage.CERTIFIED,
                   FirmTrack.expires_on.between(today, today + timedelta(days=EXPIRY_DAYS)),
                   _not_done(user, "expiry", FirmTrack.id, FirmTrack.stage_entered_at)))
    return _section(user, "expiry", _("证书即将到期"), stmt,
                    (FirmTrack.id, Firm.id, Firm.name, FirmTrack.expires_on, Track.short_name),
                    lambda row: _("%(track)s · %(date)s 到期", track=row[4], date=row[3].isoformat()),
                    (FirmTrack.expires_on, FirmTrack.id))


def deadline_todos(user: User, today: date, now: datetime) -> tuple[list[Todo], Section | None]:
    """This week's batch deadlines, and within two weeks of one the firms in 培育 whose checklist is incomplete."""
    deadlines = next_deadlines(today)
    week = [Todo("deadline", due.toordinal(), 0, "", _("%(label)s：%(date)s", label=label, date=due.isoformat()), due)
            for track, (due, label) in sorted(deadlines.items(), key=lambda item: item[1][0])
            if (due - today).days <= DEADLINE_DAYS and not _marked(user, "deadline", due.toordinal())]
    soon = {track: due for track, (due, _label) in deadlines.items() if (due - today).days <= CHECKLIST_DAYS}
    if not soon:
        return week, None
    stmt = scope(select(FirmTrack.firm_id, Firm.name, Track.code).join(Firm, Firm.id == FirmTrack.firm_id)
                 .join(Track, Track.id == FirmTrack.track_id)
                 .where(Track.code.in_(soon), FirmTrack.stage == Stage.CULTIVATING), user)
    candidates = db.session.execute(stmt).all()
    checklists = build_checklists({row[0] for row in candidates}, today)
    marked = _marks(user, "checklist", now - timedelta(days=CHECKLIST_DAYS))
    todos = []
    for firm_id, name, code in sorted(candidates, key=lambda row: (row[1], row[0])):
        lists = [c for c in checklists.get(firm_id, []) if c.track == code and not c.complete]
        if lists and firm_id not in marked:
            todos.append(Todo("checklist", firm_id, firm_id, name, _("%(track)s申报清单尚缺 %(n)s 项", track=lists[0].title,
                                                                    n=len(lists[0].open_items)), lists[0].deadline))
    return week, Section("checklist", _("申报清单未齐全（截止前两周）"), len(todos), todos[:SHOWN])


def _marked(user: User, kind: str, ref_id: int) -> bool:
    return db.session.scalar(select(WorkbenchDone.id).where(
        WorkbenchDone.user_id == user.id, WorkbenchDone.kind == kind, WorkbenchDone.ref_id == ref_id)) is not None


def _marks(user: User, kind: str, since: datetime) -> set[int]:
    return set(db.session.scalars(select(WorkbenchDone.ref_id).where(
        WorkbenchDone.user_id == user.id, WorkbenchDone.kind == kind, WorkbenchDone.done_at >= since)))


@dataclass
class Workbench:
    sections: list[Section]
    deadlines: list[Todo]

    @property
    def total(self) -> int:
        return sum(section.count for section in self.sections) + len(self.deadlines)


def build_workbench(user: User, *, now: datetime, today: date) -> Workbench:
    """Today's to-dos of the user, by kind."""
    deadlines, checklist = deadline_todos(user, today, now)
    sections = [verify_section(user), facts_section(user), stale_section(user, now), expiry_section(user, today)]
    return Workbench([s for s in (*sections, checklist) if s is not None], deadlines)
