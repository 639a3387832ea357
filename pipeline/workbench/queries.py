"""Today's to-dos of an officer, for the firms they look after (or their towns), with a fixed number of queries
whatever the county's size: per kind one count and one short list, each without the to-dos marked done.

The counts are exact and read no row. A record carries its firm's town and officer (migration 0024), so an officer's
firms are a few disjoint index ranges (scope_parts): the firms they look after, then each of their towns' other
firms. A kind's count is the sum of one index range per part and stage, less the few to-dos marked done; its short
list takes the first rows of the same ranges in order. Firm submissions waiting for an officer are few and have
an index of their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, distinct, exists, func, or_, select, true, union_all
from sqlalchemy.orm import aliased

from pipeline.auth.models import Role, User
from pipeline.checklist.services import build_checklists, next_deadlines, required_documents
from pipeline.documents.models import Document, DocumentType
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, Track
from pipeline.funnel.queries import active_track_clause, stale_cutoffs, stale_thresholds
from pipeline.indicators.models import FirmFacts, FirmYear
from pipeline.indicators.queries import pending
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


def scope_parts(user: User, officer_id, town_id) -> list:
    """The firms an officer works on as disjoint conditions on an officer and a town column (FirmTrack's or Firm's):
    their own (officer_id), then each town they are limited to without their own; an officer with neither, and
    other staff, work on every firm (one part, no condition)."""
    if user.role is not Role.OFFICER:
        return [true()]
    towns = sorted(town.id for town in user.towns)
    if not towns and not _looks_after_firms(user):
        return [true()]
    return [officer_id == user.id, *(and_(town_id == town, officer_id.is_distinct_from(user.id)) for town in towns)]


def _looks_after_firms(user: User) -> bool:
    from flask import g

    if "workbench_own_firms" not in g:
        g.workbench_own_firms = db.session.scalar(select(exists().where(Firm.officer_id == user.id)))
    return g.workbench_own_firms


def _record_parts(user: User) -> list:
    return scope_parts(user, FirmTrack.officer_id, FirmTrack.town_id)


def _not_done(user: User, kind: str, ref_column, since_column):
    return ~exists().where(WorkbenchDone.user_id == user.id, WorkbenchDone.kind == kind,
                           WorkbenchDone.ref_id == ref_column, WorkbenchDone.done_at >= since_column)


@dataclass(frozen=True)
class _Ranges:
    """A kind of record to-do as index ranges of FirmTrack (each a list of conditions), the moment or column a done
    mark must be newer than to hide a record, and the order of the short list."""

    kind: str
    ranges: list[list]
    since: object
    order: tuple

    def matches(self):
        return or_(*(and_(*conditions) for conditions in self.ranges))

    def count(self, user: User) -> int:
        """The records in the ranges, less those marked done since (one statement)."""
        counts = [select(func.count()).select_from(FirmTrack).where(*conditions).scalar_subquery()
                  for conditions in self.ranges]
        marked = (select(func.count()).select_from(WorkbenchDone).join(FirmTrack, FirmTrack.id == WorkbenchDone.ref_id)
                  .where(WorkbenchDone.user_id == user.id, WorkbenchDone.kind == self.kind,
                         WorkbenchDone.done_at >= self.since, self.matches()).scalar_subquery())
        found, hidden = db.session.execute(select(sum(counts[1:], counts[0]), marked)).one()
        return found - hidden

    def first(self, user: User, limit: int = SHOWN, *, hide_done: bool = True):
        """A condition on FirmTrack.id: among the first `limit` records of the ranges in order (not marked done,
        unless hide_done is off). Each range gives its first ones from its index; the caller orders them together."""
        not_done = [_not_done(user, self.kind, FirmTrack.id, self.since)] if hide_done else []
        picks = [select(FirmTrack.id).where(*conditions, *not_done).order_by(*self.order).limit(limit).subquery()
                 for conditions in self.ranges]
        return FirmTrack.id.in_(union_all(*(select(pick.c.id) for pick in picks)))


def _records(ranges: _Ranges, user: User, title: str, columns, text) -> Section:
    """One count and one short list of a kind of record to-do (columns: FirmTrack.id, Firm.id, Firm.name, since, …)."""
    rows = db.session.execute(select(*columns).join(Firm, Firm.id == FirmTrack.firm_id)
                              .join(Track, Track.id == FirmTrack.track_id).where(ranges.first(user))
                              .order_by(*ranges.order).limit(SHOWN)).all()
    return Section(ranges.kind, title, ranges.count(user),
                   [Todo(ranges.kind, row[0], row[1], row[2], text(row), row[3]) for row in rows])


def stale_section(user: User, now: datetime) -> Section:
    cutoffs = stale_cutoffs(now, stale_thresholds())
    ranges = [[part, FirmTrack.stage == stage, FirmTrack.last_activity_at < cutoff, active_track_clause()]
              for part in _record_parts(user) for stage, cutoff in cutoffs.items()]
    stale = _Ranges("stale", ranges, FirmTrack.last_activity_at, (FirmTrack.last_activity_at, FirmTrack.id))
    return _records(stale, user, _("久未跟进"),
                    (FirmTrack.id, Firm.id, Firm.name, FirmTrack.last_activity_at, Track.short_name),
                    lambda row: _("%(track)s · 最近跟进 %(date)s", track=row[4], date=row[3].date().isoformat()))


def expiry_section(user: User, today: date) -> Section:
    window = FirmTrack.expires_on.between(today, today + timedelta(days=EXPIRY_DAYS))
    ranges = [[part, FirmTrack.stage == Stage.CERTIFIED, window] for part in _record_parts(user)]
    expiring = _Ranges("expiry", ranges, FirmTrack.stage_entered_at, (FirmTrack.expires_on, FirmTrack.id))
    return _records(expiring, user, _("证书即将到期"),
                    (FirmTrack.id, Firm.id, Firm.name, FirmTrack.expires_on, Track.short_name),
                    lambda row: _("%(track)s · %(date)s 到期", track=row[4], date=row[3].isoformat()))


def _submissions(user: User, model, kind: str, title: str, columns, text) -> Section:
    """Firm submissions waiting for an officer (few, from their partial index), in the user's firms."""
    scoped = aliased(Firm)  # an EXISTS: a join let SQLite read every firm of the officer (83,000) for none waiting
    waiting = (pending(model), _not_done(user, kind, model.id, model.updated_at),
               exists().where(scoped.id == model.firm_id, or_(*scope_parts(user, scoped.officer_id, scoped.town_id))))
    count = db.session.scalar(select(func.count()).select_from(model).where(*waiting))
    rows = db.session.execute(select(*columns).join(Firm, Firm.id == model.firm_id).where(*waiting)
                              .order_by(model.updated_at, model.id).limit(SHOWN)).all()
    return Section(kind, title, count, [Todo(kind, row[0], row[1], row[2], text(row), row[3]) for row in rows])


def verify_section(user: User) -> Section:
    return _submissions(user, FirmYear, "verify", _("企业填报待核实"),
                        (FirmYear.id, Firm.id, Firm.name, FirmYear.updated_at, FirmYear.fiscal_year),
                        lambda row: _("%(year)s 年度指标", year=row[4]))


def facts_section(user: User) -> Section:
    return _submissions(user, FirmFacts, "verify_facts", _("企业填报待核实（知识产权等情况）"),
                        (FirmFacts.id, Firm.id, Firm.name, FirmFacts.updated_at), lambda row: _("知识产权等情况"))


def deadline_todos(user: User, today: date, now: datetime) -> tuple[list[Todo], Section | None]:
    """This week's batch deadlines, and within two weeks of one the records in 培育 whose checklist is incomplete."""
    deadlines = next_deadlines(today)
    week = [Todo("deadline", due.toordinal(), 0, "", _("%(label)s：%(date)s", label=label, date=due.isoformat()), due)
            for track, (due, label) in sorted(deadlines.items(), key=lambda item: item[1][0])
            if (due - today).days <= DEADLINE_DAYS and not _marked(user, "deadline", due.toordinal())]
    soon = {track: due for track, (due, _label) in deadlines.items() if (due - today).days <= CHECKLIST_DAYS}
    return week, checklist_section(user, soon, today, now) if soon else None


def checklist_section(user: User, soon: dict[str, date], today: date, now: datetime) -> Section:
    """The records in 培育 on a track whose deadline is near and whose checklist is incomplete. Exact without judging
    every record: a checklist can be complete only when every document it needs is on file, so only those few
    records (and the first ones to show) go through build_checklists; every other candidate is incomplete."""
    ranges = [[part, FirmTrack.stage == Stage.CULTIVATING, FirmTrack.track_id.in_(select(Track.id).where(
        Track.code == track))] for part in _record_parts(user) for track in soon]
    candidates = _Ranges("checklist", ranges, now - timedelta(days=CHECKLIST_DAYS),
                         (FirmTrack.last_activity_at, FirmTrack.id))
    marked = set(db.session.scalars(select(WorkbenchDone.ref_id).join(FirmTrack, FirmTrack.id == WorkbenchDone.ref_id)
                                    .where(WorkbenchDone.user_id == user.id, WorkbenchDone.kind == "checklist",
                                           WorkbenchDone.done_at >= candidates.since, candidates.matches())))
    ready = _with_documents(candidates, soon)  # record → (firm, track)
    enough = SHOWN + len(marked) + len(ready)
    first = db.session.execute(select(FirmTrack.id, Firm.id, Firm.name, Track.code).join(Firm).join(Track)
                               .where(candidates.first(user, enough, hide_done=False))
                               .order_by(*candidates.order).limit(enough)).all()
    checklists = build_checklists({row[1] for row in first} | {firm for firm, _track in ready.values()}, today)
    complete = {record for record, (firm, track) in ready.items()
                if any(c.track == track and c.complete for c in checklists.get(firm, []))}
    todos = []
    for record, firm_id, name, code in first:
        if record not in marked and record not in complete and len(todos) < SHOWN:
            checklist = next(c for c in checklists[firm_id] if c.track == code)
            todos.append(Todo("checklist", record, firm_id, name, _(
                "%(track)s申报清单尚缺 %(n)s 项", track=checklist.title, n=len(checklist.open_items)), checklist.deadline))
    return Section("checklist", _("申报清单未齐全（截止前两周）"), candidates.count(user) - len(complete - marked),
                   todos)


def _with_documents(candidates: _Ranges, soon: dict[str, date]) -> dict[int, tuple[int, str]]:
    """Record → (firm, track) of the candidates whose firm has every document its track's application needs
    (checklist.required_documents of the active types): the only ones whose checklist may be complete."""
    types = dict(db.session.execute(select(DocumentType.code, DocumentType.id).where(DocumentType.active.is_(True))).all())
    found = {}
    for track, due in soon.items():
        needed = [(types[code], year) for code, year in required_documents(track, due.year) if code in types]
        stmt = (select(FirmTrack.id, FirmTrack.firm_id).join(Track, Track.id == FirmTrack.track_id)
                .where(Track.code == track, candidates.matches()))
        if needed:  # (every type switched off: any candidate may be complete)
            any_year = [type_id for type_id, year in needed if year is None]
            key = case((Document.type_id.in_(any_year), -Document.type_id),
                       else_=Document.fiscal_year * 100_000 + Document.type_id)  # one per needed document
            stmt = (stmt.join(Document, Document.firm_id == FirmTrack.firm_id)
                    .where(or_(*(Document.type_id == type_id if year is None else
                                 and_(Document.type_id == type_id, Document.fiscal_year == year)
                                 for type_id, year in needed)))
                    .group_by(FirmTrack.id, FirmTrack.firm_id).having(func.count(distinct(key)) == len(needed)))
        found.update((record, (firm, track)) for record, firm in db.session.execute(stmt))
    return found


def _marked(user: User, kind: str, ref_id: int) -> bool:
    return db.session.scalar(select(WorkbenchDone.id).where(
        WorkbenchDone.user_id == user.id, WorkbenchDone.kind == kind, WorkbenchDone.ref_id == ref_id)) is not None


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
