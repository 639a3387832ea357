"""The firm list: search and filters over firms and their records, one page at a time, a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import ARRAY, Integer, any_, cast, exists, func, select

from pipeline.auth.models import User
from pipeline.auth.permissions import shown_town_ids, visible_town_ids
from pipeline.dashboard.links import filter_firms_by_history
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.firms.text_search import exact_name_matches, search_condition
from pipeline.funnel.models import FirmTrack, Track
from pipeline.funnel.queries import firms_with_records, scope_to_user, stale_clause, stale_thresholds
from pipeline.funnel.tally import tallied_by_stage
from pipeline.i18n import local_zone, to_local

# Sort keys of the firm list: every one is served by an index, and ends with the id so that pages are stable.
# Names sort by pinyin (firm.name_sort_key, the same order on SQLite and PostgreSQL).
SORTS = {
    "name": (Firm.name_sort_key, Firm.id),
    "-name": (Firm.name_sort_key.desc(), Firm.id.desc()),
    "code": (Firm.credit_code,),
    "town": (Firm.town_id, Firm.name_sort_key, Firm.id),
    "newest": (Firm.id.desc(),),
    "oldest": (Firm.id,),
}
PAGE_SIZES = (20, 50, 100)
# The list counts its firms up to this many and then says "more than": an exact count of a province-wide filter
# would read every matching row on every page view (the dashboard has the exact figures).
COUNT_LIMIT = 5_000
PAGER_AHEAD = 2  # the pager links up to two pages past the current one, so it counts at least that far
# 末页 (?page=last) asks for a page past any list: the count then runs to the end (once, when asked) and the page is
# the last one.
LAST_PAGE = 1_000_000


@dataclass(frozen=True)
class FirmFilters:
    q: str = ""
    town_id: int | None = None
    industry_id: int | None = None
    track_id: int | None = None
    stage: Stage | None = None
    officer_id: int | None = None
    stale: bool = False
    paused: bool = False
    sort: str = "name"
    # The dashboard's history filters (entered/left a stage in a period, stage at a day, expiring by a day), as
    # (name, value) pairs with the track's code; see pipeline/dashboard/links.py.
    history: tuple[tuple[str, str], ...] = ()


@dataclass
class Page:
    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 50
    more: bool = False  # the count stopped at `total`: there are at least that many firms

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _record_conditions(filters: FirmFilters, now: datetime) -> list:
    """Conditions on FirmTrack: the firm has a record that matches all of them."""
    record = []
    if filters.track_id:
        record.append(FirmTrack.track_id == filters.track_id)
    if filters.stage:
        record.append(FirmTrack.stage == filters.stage)
    if filters.paused:
        record.append(FirmTrack.stage == Stage.PAUSED)
    if filters.stale:
        record.append(stale_clause(now, stale_thresholds()))
    return record


def _filtered(stmt, filters: FirmFilters, now: datetime, record: list, *, records: str = "exists", text=None):
    """Narrow a select() involving Firm by the filters and the record conditions: `records` says how, "exists"
    (each firm probes its records), "in" (the matching records' firm ids first) or "joined" (the caller joined
    FirmTrack). `text` is the search term's condition when the caller has it already (it costs a query)."""
    if filters.q.strip():
        stmt = stmt.where(text if text is not None else search_condition(filters.q))
    for column, value in _firm_columns(filters):
        stmt = stmt.where(column == value)
    if record and records == "joined":
        stmt = stmt.where(*record)
    elif record and records == "in":
        stmt = stmt.where(_firm_of_records(record))
    elif record:
        stmt = stmt.where(exists(select(FirmTrack.id).where(FirmTrack.firm_id == Firm.id, *record)))
    if filters.history:
        stmt = filter_firms_by_history(stmt, dict(filters.history), zone=local_zone(), today=to_local(now).date())
    return stmt


def _firm_of_records(record: list):
    """Firm.id is among the firm ids of the records matching `record`, which are few (or counted): read them first.

    PostgreSQL turned IN (subquery) into a semi join that walked the firms in the page's order probing each firm's
    records, in parallel workers (779 paused records: 13,759 firms probed, 25 ms at 100,000 firms); an array of the
    ids, computed once, makes it look the firms up by id (5 ms). The CAST makes ANY take the array as one value (ANY
    of a bare subquery is the IN form again). SQLite reads IN (subquery) first by itself."""
    if db.session.get_bind().dialect.name != "postgresql":
        return Firm.id.in_(select(FirmTrack.firm_id).where(*record))
    ids = select(func.array_agg(FirmTrack.firm_id)).where(*record).scalar_subquery()
    return Firm.id == any_(cast(ids, ARRAY(Integer)))


def _firm_columns(filters: FirmFilters) -> list[tuple]:
    """(Firm column, value) of the filters that compare a firm column with a value."""
    return [(column, value) for column, value in ((Firm.town_id, filters.town_id),
                                                  (Firm.industry_id, filters.industry_id),
                                                  (Firm.officer_id, filters.officer_id)) if value]


def _needs_firm(filters: FirmFilters, user: User) -> bool:
    """Whether _filtered narrows by the firm itself (not only by its records): the count must then join Firm."""
    return bool(filters.q.strip() or _firm_columns(filters) or filters.history or visible_town_ids(user) is not None)


def _tallied_firms(filters: FirmFilters, towns: set[int] | None) -> int | None:
    """The firms on one track (in one stage) in these towns (None: all), exactly, from the board's stage tally (a
    firm has one record per track); None when a filter the tally does not know is set. Counting the records
    themselves reads up to COUNT_LIMIT of them and then only says "more than"."""
    if (not filters.track_id or filters.q.strip() or filters.industry_id or filters.officer_id or filters.stale
            or filters.history or (filters.paused and filters.stage not in (None, Stage.PAUSED))):
        return None
    by_stage = tallied_by_stage(filters.track_id, towns)
    stage = Stage.PAUSED if filters.paused else filters.stage
    return by_stage.get(stage, 0) if stage else sum(by_stage.values())


def count_firms(for_user: User, filters: FirmFilters, record: list, *, now: datetime, limit: int,
                text=None, records: tuple[int, int] | None = None) -> tuple[int, bool]:
    """How many firms the list shows, reading at most `limit` rows: (the count, whether it stopped at the limit).

    With record filters the rows are records, read from the records' indexes (joined to the firm only when a firm
    filter needs it) and counted by distinct firm: a name-ordered page does well probing each firm's records, a
    count does not. `records` is what _count_records gave for this limit, when the caller has it.
    """
    if not record:
        rows = _text_matches(for_user, filters, now)
        if rows is None:
            rows = _filtered(scope_to_user(select(Firm.id.label("firm_id")), for_user), filters, now, record,
                             text=text)
    elif _needs_firm(filters, for_user):
        rows = select(FirmTrack.firm_id).join(Firm, Firm.id == FirmTrack.firm_id)
        rows = _filtered(scope_to_user(rows, for_user), filters, now, record, records="joined", text=text)
        rows = rows.distinct()  # a firm on both tracks is one firm
    else:
        counted, per_firm = records or _count_records(record, filters, limit)
        if per_firm == 1 or counted >= per_firm * (limit + 1):
            return min(counted // per_firm, limit), counted >= per_firm * (limit + 1)
        # Otherwise the few records are all read (the LIMIT lets both databases take them from the record index
        # before counting their firms; IN (subquery) made PostgreSQL probe a firm per record: 1.7–9 ms for paused).
        matching = select(FirmTrack.firm_id).where(*record).limit(per_firm * (limit + 1)).subquery()
        firms = db.session.scalar(select(func.count(func.distinct(matching.c.firm_id))))
        return min(firms, limit), firms > limit
    counted = _count_rows(rows, limit + 1)  # one more firm tells "more" from "exactly"
    return min(counted, limit), counted > limit


def _text_matches(for_user: User, filters: FirmFilters, now: datetime):
    """SELECT of the firms a text search with firm filters matches, counted from the gram index's list of the term
    (None when the index cannot list it exactly): a common term's count then reads index entries, not every name
    until the cap (轴承: ~60,000 names at 100,000 firms)."""
    matches = exact_name_matches(filters.q) if filters.q.strip() else None
    if matches is None:
        return None
    others = replace(filters, q="")
    if not _needs_firm(others, for_user):
        return matches
    matches = matches.subquery()
    stmt = select(Firm.id.label("firm_id")).join(matches, matches.c.firm_id == Firm.id)
    return _filtered(scope_to_user(stmt, for_user), others, now, [])


def _count_records(record: list, filters: FirmFilters, limit: int) -> tuple[int, int]:
    """(matching records counted up to per_firm × (limit + 1), per_firm), from the record index alone. A firm has one
    record per track: on one track records are firms (per_firm 1), and over all tracks that many records are more
    than `limit` firms, without sorting out the firms (the usual case at scale)."""
    per_firm = 1 if filters.track_id else db.session.scalar(select(func.count(Track.id)))
    return _count_rows(select(FirmTrack.id).where(*record), per_firm * (limit + 1)), per_firm


def _count_rows(rows, limit: int) -> int:
    """How many rows a select gives, reading at most `limit` of them."""
    return db.session.scalar(select(func.count()).select_from(rows.limit(limit).subquery()))


def firm_ids(for_user: User, filters: FirmFilters, *, now: datetime):
    """SELECT of the ids of every firm the list shows for these filters (all pages): exports use it."""
    return _filtered(scope_to_user(select(Firm.id), for_user), filters, now, _record_conditions(filters, now))


def list_firms_page(for_user: User, filters: FirmFilters = FirmFilters(), *, now: datetime, page: int = 1,
                    per_page: int = 50) -> Page:
    """One page of the firm list: a capped count (exact from the stage tally where the filters are one track's
    stage and towns) and the page's firms (plus one query for their records).

    The page's ids are picked in a subquery that the narrowest index serving the sort answers, so that a deep page
    skips index entries rather than whole rows with their joins; only the page's firms are then read. A first page
    that is not full is its own count: a rare search term then reads the names once, not twice.
    """
    record = _record_conditions(filters, now)
    limit = max(COUNT_LIMIT, (page + PAGER_AHEAD) * per_page)
    # Few matching records: start from them. Many: walk the firms in page order, each probing its records, which
    # finds a page's worth soon (SQLite does not choose between the two by itself). Without firm filters the same
    # count of records serves the total below.
    # Over all towns: a walk from the records reads every matching record, whatever the town filter.
    records, tallied = None, _tallied_firms(filters, None)
    if tallied is not None:  # one track's records: the tally has their number
        few = tallied < COUNT_LIMIT
    elif record and not _needs_firm(filters, for_user):
        records = _count_records(record, filters, limit)
        few = records[0] < COUNT_LIMIT
    else:
        few = bool(record) and _count_rows(select(FirmTrack.id).where(*record), COUNT_LIMIT) < COUNT_LIMIT
    text = search_condition(filters.q) if filters.q.strip() else None
    where = _filtered(scope_to_user(select(Firm.id), for_user), filters, now, record, records="in" if few else "exists",
                      text=text)
    order = SORTS.get(filters.sort, SORTS["name"])
    first_ids = list(db.session.scalars(where.order_by(*order).limit(per_page + 1))) if page <= 1 else None
    if first_ids is not None and len(first_ids) <= per_page:  # a first page that is not full is its own count
        return Page(items=_firms(first_ids, order), total=len(first_ids), page=1, per_page=per_page)
    if tallied is not None:  # the total counts the shown towns only: a second sum when they are narrowed
        towns = shown_town_ids(for_user, filters.town_id)
        total, more = (tallied if towns is None else _tallied_firms(filters, towns)), False
    else:
        total, more = count_firms(for_user, filters, record, now=now, limit=limit, text=text, records=records)
    page = max(1, min(page, max(1, -(-total // per_page))))
    ids = first_ids[:per_page] if first_ids else where.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    return Page(items=_firms(ids, order), total=total, page=page, per_page=per_page, more=more)


def _firms(ids, order) -> list[Firm]:
    """The page's firms with their records, in page order (`ids`: a list or a SELECT of ids)."""
    return list(db.session.scalars(firms_with_records(select(Firm).where(Firm.id.in_(ids)).order_by(*order))))
