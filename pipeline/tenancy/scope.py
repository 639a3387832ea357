"""The scope of the work at hand: which authorities' rows it may read and write.

A request of a logged-in user runs in the user's scope (their authority and every authority below it); the
scheduler, the CLI and anonymous pages run in the system scope, which sees every county. The scope limits:
- what the ORM reads: every SELECT of a county-owned model gets `county_id IN (…)` (with_loader_criteria);
- on PostgreSQL, what the database returns at all: the transaction runs as the role `pipeline_tenant` with
  `pipeline.authority_ids` set, and the row-level security policies of migration 0028 filter every table by it, so
  a query that forgets its filter, Core or raw SQL, still sees only the scope's rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

TENANT_ROLE = "pipeline_tenant"  # made by migration 0028; owns nothing, so row-level security applies to it


class NoCountyError(RuntimeError):
    """A new county-owned row names no county and the scope holds more than one."""


@dataclass(frozen=True)
class Scope:
    authority_ids: frozenset[int]  # the scope's own authority and every one below it
    county_ids: frozenset[int]  # the counties among them
    restricted: bool = True  # False: the system scope, every county

    @property
    def setting(self) -> str:
        """The value of pipeline.authority_ids: a PostgreSQL int[] literal."""
        return "{" + ",".join(str(i) for i in sorted(self.authority_ids)) + "}"


SYSTEM = Scope(frozenset(), frozenset(), restricted=False)
_current: ContextVar[Scope] = ContextVar("pipeline_scope", default=SYSTEM)


def current_scope() -> Scope:
    return _current.get()


def authority_tree(session_or_connection) -> dict[int, tuple[int | None, str]]:
    """Every authority: id → (parent id, level). A few hundred rows at most (a province's counties)."""
    from pipeline.tenancy.models import Authority

    rows = session_or_connection.execute(select(Authority.id, Authority.parent_id, Authority.level)).all()
    return {row.id: (row.parent_id, row.level) for row in rows}


def scope_of_authority(session_or_connection, authority_id: int) -> Scope:
    """The scope of a user or API client of an authority: it and every authority below it."""
    tree = authority_tree(session_or_connection)
    children: dict[int | None, list[int]] = {}
    for node, (parent, _level) in tree.items():
        children.setdefault(parent, []).append(node)
    seen, todo = set(), [authority_id]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(children.get(node, ()))
    counties = frozenset(node for node in seen if node in tree and tree[node][1] == "county")
    return Scope(frozenset(seen), counties)


def county_for_new_rows(connection=None) -> int:
    """The county a new row belongs to when it names none: the scope's only county, or in the system scope the
    installation's only county. Rows of a city-wide scope or of a several-county system job must name theirs."""
    scope = current_scope()
    if len(scope.county_ids) == 1:
        return next(iter(scope.county_ids))
    if scope.restricted:
        raise NoCountyError("该操作涉及多个区县，请指定区县。")
    if connection is None:
        from pipeline.extensions import db

        connection = db.session.connection()
    cached = connection.info.get("pipeline.only_county")
    if cached is None:
        from pipeline.tenancy.models import Authority

        ids = connection.execute(select(Authority.id).where(Authority.level == "county").limit(2)).scalars().all()
        if len(ids) != 1:
            raise NoCountyError("该操作涉及多个区县，请指定区县。")
        cached = connection.info["pipeline.only_county"] = ids[0]
    return cached


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
        session = db.session()
    if session.in_transaction():
        apply_to_connection(session.connection(), scope)


def _on_begin(session: Session, _transaction, connection) -> None:
    scope = current_scope()
    if scope.restricted:
        apply_to_connection(connection, scope)


def _limit_to_scope(state: ORMExecuteState) -> None:
    """The app's own scoping, before the database's: every ORM SELECT of a county-owned model or of users."""
    scope = current_scope()
    if not scope.restricted or not state.is_select or state.execution_options.get("all_counties"):
        return
    from pipeline.auth.models import User
    from pipeline.tenancy.models import CountyOwned

    counties, authorities = tuple(scope.county_ids), tuple(scope.authority_ids)
    state.statement = state.statement.options(
        with_loader_criteria(CountyOwned, lambda cls: cls.county_id.in_(counties), include_aliases=True),
        with_loader_criteria(User, lambda cls: cls.authority_id.in_(authorities), include_aliases=True))


def register_scope_events() -> None:
    """Once per process: the events are on the Session class, for every app and session."""
    if not event.contains(Session, "after_begin", _on_begin):
        event.listen(Session, "after_begin", _on_begin)
        event.listen(Session, "do_orm_execute", _limit_to_scope)
