"""The scope of the work at hand: which authorities' rows it may read and write.

A request of a logged-in user runs in the user's scope (their authority and every authority below it); the
scheduler, the CLI and anonymous pages run in the system scope, which sees every county. The scope limits:
- what the ORM reads: every SELECT of a county-owned model gets `county_id IN (…)` (with_loader_criteria);
- on PostgreSQL, what the database returns at all: the transaction runs as the role `pipeline_tenant` with
  `pipeline.authority_ids` set, and the row-level security policies of migration 0028 filter every table by it, so
  a query that forgets its filter, Core or raw SQL, still sees only the scope's rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache, wraps
from time import monotonic
from typing import NamedTuple

from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

TENANT_ROLE = "pipeline_tenant"  # made by migration 0028; owns nothing, so row-level security applies to it


class NoCountyError(RuntimeError):
    """A new county-owned row names no county and the scope holds more than one."""


@dataclass(frozen=True)
class Scope:
    authority_ids: frozenset[int]  # the scope's own authority and every one below it
    county_ids: frozenset[int]  # the counties among them
    restricted: bool = True  # False: the system scope, every county
    everything: bool = False  # it holds every county there is: the ORM needs no filter (an installation of one)

    @property
    def setting(self) -> str:
        """The value of pipeline.authority_ids: a PostgreSQL int[] literal."""
        return "{" + ",".join(str(i) for i in sorted(self.authority_ids)) + "}"


SYSTEM = Scope(frozenset(), frozenset(), restricted=False)
_current: ContextVar[Scope] = ContextVar("pipeline_scope", default=SYSTEM)


def current_scope() -> Scope:
    return _current.get()


class AuthorityNode(NamedTuple):
    parent_id: int | None
    level: str
    code: str | None
    bureau_name: str
    name: str


TREE_SECONDS = 30  # another worker's new county is seen this late at most; this process's own change at once
_trees: dict[str, tuple[float, dict[int, AuthorityNode]]] = {}


def authority_tree(session_or_connection) -> dict[int, AuthorityNode]:
    """Every authority: id → node. A few hundred rows at most (a province's counties), read by every request's
    scope and every new row: kept per database for TREE_SECONDS, and forgotten when this process changes one."""
    from pipeline.tenancy.models import Authority

    engine = getattr(session_or_connection, "engine", None) or session_or_connection.get_bind()
    key = str(engine.url)
    cached = _trees.get(key)
    if cached is not None and monotonic() - cached[0] < TREE_SECONDS:
        return cached[1]
    rows = session_or_connection.execute(
        select(Authority.id, Authority.parent_id, Authority.level, Authority.code, Authority.bureau_name,
               Authority.name)).all()
    tree = {row.id: AuthorityNode(row.parent_id, row.level, row.code, row.bureau_name, row.name) for row in rows}
    _trees[key] = (monotonic(), tree)
    return tree


def forget_authorities(*_args) -> None:
    _trees.clear()


def scope_of_authority(session_or_connection, authority_id: int) -> Scope:
    """The scope of a user or API client of an authority: it and every authority below it."""
    tree = authority_tree(session_or_connection)
    children: dict[int | None, list[int]] = {}
    for node, entry in tree.items():
        children.setdefault(entry.parent_id, []).append(node)
    seen, todo = set(), [authority_id]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(children.get(node, ()))
    counties = frozenset(node for node in seen if node in tree and tree[node].level == "county")
    every_county = {node for node, entry in tree.items() if entry.level == "county"}
    return Scope(frozenset(seen), counties, everything=counties == every_county)


def county_for_new_rows(connection=None, firm_id: int | None = None) -> int:
    """The county a new row belongs to when it names none: its firm's (a record, a move), else the scope's only
    county, or in the system scope the installation's only county. Other rows of a city-wide scope or of a
    several-county system job must name theirs."""
    scope = current_scope()
    if len(scope.county_ids) == 1:
        return next(iter(scope.county_ids))
    if connection is None:
        from pipeline.extensions import db

        connection = db.session.connection()
    counties = county_ids(connection)
    if len(counties) == 1 and not scope.restricted:
        return counties[0]
    if firm_id is not None:
        from pipeline.firms.models import Firm

        county = connection.execute(select(Firm.county_id).where(Firm.id == firm_id)).scalar()
        if county is not None:
            return county
    raise NoCountyError("该操作涉及多个区县，请指定区县。")


def apply_to_connection(connection, scope: Scope) -> None:
    """Put the scope on the connection's open transaction (PostgreSQL only): the tenant role and the authority ids
    for the row-level security policies. LOCAL to the transaction, so a pooled connection forgets both."""
    if connection.dialect.name != "postgresql":
        return
    if scope.restricted:
        connection.exec_driver_sql("SELECT set_config('role', %s, true), set_config('pipeline.authority_ids', %s, true)",
                                   (TENANT_ROLE, scope.setting))
    else:
        connection.exec_driver_sql("SELECT set_config('role', %s, true), set_config('pipeline.authority_ids', '', true)",
                                   ("none",))


@contextmanager
def use_scope(scope: Scope, session: Session | None = None) -> Iterator[Scope]:
    """Work in `scope` inside the block; the session's open transaction switches at once, later ones as they
    begin."""
    token = _current.set(scope)
    _switch_open_transaction(session, scope)
    try:
        yield scope
    finally:
        _current.reset(token)
        _switch_open_transaction(session, _current.get())


def enter_scope(scope: Scope, session: Session | None = None):
    """Work in `scope` until leave_scope(token): for a request, whose scope starts in before_request."""
    token = _current.set(scope)
    _switch_open_transaction(session, scope)
    return token


def leave_scope(token) -> None:
    _current.reset(token)


def _switch_open_transaction(session: Session | None, scope: Scope) -> None:
    if session is None:
        from pipeline.extensions import db

        if not db.session.registry.has():
            return
        session = db.session
    if hasattr(session, "registry"):  # a scoped_session: its session of this context
        session = session()
    if session.in_transaction():
        # A failed transaction (an error in the block): its rollback ends the LOCAL settings anyway.
        with suppress(DBAPIError, InvalidRequestError):
            apply_to_connection(session.connection(), scope)


def check_rows_in_scope(table, rows: list[dict]) -> None:
    """The policies' WITH CHECK, done by the app for a bulk insert: PostgreSQL refuses COPY into a table with
    row-level security, so an import's COPY runs as the owner (as_table_owner) once its rows are checked here. The
    rows of a firm's child table belong to firms this transaction has just written in the scope."""
    scope = current_scope()
    if scope.restricted and "county_id" in table.c:
        default = next(iter(scope.county_ids)) if len(scope.county_ids) == 1 else None
        if any(row.get("county_id", default) not in scope.county_ids for row in rows):
            raise NoCountyError("导入的数据不属于本区县。")


@contextmanager
def as_table_owner(connection):
    """For one statement only the owner may run (COPY into a table with policies, ANALYZE): leave the tenant role,
    then take the scope's settings again."""
    scope = current_scope()
    if not scope.restricted or connection.dialect.name != "postgresql":
        yield
        return
    connection.exec_driver_sql("SELECT set_config('role', 'none', true)")
    try:
        yield
    finally:
        apply_to_connection(connection, scope)


def exists_in_any_county(session: Session, statement) -> bool:
    """Whether a row exists in any county, whatever the scope: for what must be unique in the whole deployment (a
    username logs in before any county is known). Only the answer leaves this function, no row."""
    connection = session.connection()
    with as_table_owner(connection):
        return session.scalar(statement.limit(1), execution_options={"all_counties": True}) is not None


def _on_begin(session: Session, _transaction, connection) -> None:
    scope = current_scope()
    if scope.restricted:
        apply_to_connection(connection, scope)


def _limit_to_scope(state: ORMExecuteState) -> None:
    """The app's own scoping, before the database's: every ORM SELECT of a county-owned model or of users."""
    scope = current_scope()
    if not scope.restricted or scope.everything or not state.is_select \
            or state.execution_options.get("all_counties"):
        return
    state.statement = state.statement.options(*_scope_options(scope.county_ids, scope.authority_ids))


@lru_cache(maxsize=256)
def _scope_options(county_ids: frozenset[int], authority_ids: frozenset[int]) -> tuple:
    """The loader criteria of one scope, made once per scope (a statement of a city county carries ~17 of them;
    building them for every statement cost a list page ~10 ms of CPU, bench_tenancy)."""
    from pipeline.auth.models import User
    from pipeline.firms.models import Firm, Town
    from pipeline.tenancy.models import CountyOwned

    counties, authorities = tuple(sorted(county_ids)), tuple(sorted(authority_ids))
    options = [with_loader_criteria(CountyOwned, lambda cls: cls.county_id.in_(counties), include_aliases=True),
               with_loader_criteria(User, lambda cls: cls.authority_id.in_(authorities), include_aliases=True)]
    for model in _children("firm_id"):  # a firm's certificates, indicators, documents, …: through their firm
        options.append(with_loader_criteria(
            model, lambda cls: cls.firm_id.in_(select(Firm.id).where(Firm.county_id.in_(counties))),
            include_aliases=True))
    for model in _children("town_id"):  # the board's and the dashboard's tallies by town
        options.append(with_loader_criteria(
            model, lambda cls: cls.town_id.in_(select(Town.id).where(Town.county_id.in_(counties))),
            include_aliases=True))
    return tuple(options)


@cache
def _children(column: str) -> tuple[type, ...]:
    """Every mapped class with the column that is not county-owned itself (users have their authority)."""
    from pipeline.auth.models import User
    from pipeline.db import Base
    from pipeline.tenancy.models import CountyOwned

    return tuple(mapper.class_ for mapper in Base.registry.mappers if column in mapper.columns
                 and not issubclass(mapper.class_, CountyOwned | User))


def register_scope_events() -> None:
    """Once per process: the events are on the Session class, for every app and session."""
    from pipeline.tenancy.models import Authority

    if not event.contains(Session, "after_begin", _on_begin):
        event.listen(Session, "after_begin", _on_begin)
        event.listen(Session, "do_orm_execute", _limit_to_scope)
        for change in ("after_insert", "after_update", "after_delete"):
            event.listen(Authority, change, forget_authorities)


def county_scope(county_id: int) -> Scope:
    return Scope(frozenset({county_id}), frozenset({county_id}))


def county_ids(session_or_connection) -> list[int]:
    return sorted(node for node, entry in authority_tree(session_or_connection).items() if entry.level == "county")


def for_each_county(job):
    """A scheduled job (or its command) that does one county's work: with several counties it runs once in each
    county's scope, so that each county's reminders, expiries and report are its own and go out under its name.
    One county (every installation today): the job runs as it always did."""

    @wraps(job)
    def run(now, *args, **kwargs):
        from pipeline.extensions import db

        counties = county_ids(db.session)
        if len(counties) <= 1 or current_scope().restricted:
            return job(now, *args, **kwargs)
        results = []
        for county in counties:
            with use_scope(county_scope(county)):
                result = job(now, *args, **kwargs)
                if result:
                    results.append(f"{county}: {result}")
        return "；".join(results) or None

    return run
