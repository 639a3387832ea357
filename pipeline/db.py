"""The declarative base, column types and the transaction helper shared by every feature."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import DateTime, MetaData, func, select, text
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Store naive UTC, hand back aware UTC: SQLite has no time zones, and mixing naive and aware breaks comparisons."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def insert_or_ignore(executor, model, values: dict, key: str = "id"):
    """INSERT … ON CONFLICT DO NOTHING into a model's table, on a session or a connection: the new row's `key`, or
    None when a unique key already holds the values.

    Safe against a concurrent writer of the same key on PostgreSQL and SQLite alike, without a savepoint (pysqlite's
    SAVEPOINT can commit the outer transaction). A Core INSERT: the ORM's bulk-insert path cost twice as much, for a
    row that nobody holds as an object yet."""
    dialect = executor.get_bind().dialect if hasattr(executor, "get_bind") else executor.dialect
    statement = _insert_or_ignore_statement(dialect.name, model.__table__, key)
    return executor.execute(statement, values).scalar_one_or_none()


@cache
def _insert_or_ignore_statement(dialect_name: str, table, key: str):
    """One statement per table: the values go in as parameters, so a hot insert (a certificate per move into 入库)
    neither rebuilds the statement nor coerces each value into it."""
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing().returning(table.c[key])


@contextmanager
def sqlite_page_cache(connection, kib: int):
    """A larger page cache for this connection while inside, on SQLite: a bulk write inserts into a dozen indexes at
    random places (the search grams of each new firm above all), and with their pages in memory instead of SQLite's
    default 2 MB it spends far less time reading and spilling pages (a 50,000-firm import's firm rows: 23.6 → 8.9 s
    on a loaded machine; the bulk county ~20% faster). The old size comes back afterwards, since the connection
    returns to the pool."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def bulk_insert(connection, table, rows: list[dict]) -> None:
    """Insert many rows of one shape: COPY on PostgreSQL (several times faster than INSERT), executemany elsewhere.

    COPY bypasses SQLAlchemy's statement compilation, so each value goes through its column type's bind processor
    here (UTCDateTime stores naive UTC, enums their values) and a column the rows leave out gets its Python-side
    default, exactly as an INSERT would send them.
    """
    if not rows:
        return
    from pipeline.tenancy.scope import as_table_owner, check_rows_in_scope

    check_rows_in_scope(table, rows)
    dialect = connection.dialect
    if dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    names = list(rows[0])
    defaults = {column.name: column.default for column in table.columns if column.name not in rows[0]
                and column.default is not None and (column.default.is_scalar or column.default.is_callable)}
    processors = [table.c[name].type.bind_processor(dialect) or (lambda value: value) for name in [*names, *defaults]]
    columns = ", ".join(f'"{name}"' for name in [*names, *defaults])
    with as_table_owner(connection), connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            values = [row[name] for name in names]
            values += [default.arg if default.is_scalar else default.arg(None) for default in defaults.values()]
            copy.write_row([process(value) for process, value in zip(processors, values, strict=True)])


def advance_id_sequence(connection, table) -> None:
    """After rows were inserted with explicit ids, let PostgreSQL's id sequence continue above the largest one."""
    if connection.dialect.name == "postgresql":
        largest = func.coalesce(select(func.max(table.c.id)).scalar_subquery(), 0)
        connection.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), largest + 1, False)))


def refresh_planner_statistics(engine) -> None:
    """After a bulk load: planner statistics now, not when autovacuum gets round to them; on PostgreSQL also the
    visibility map (VACUUM), without which a covering index still visits every table row."""
    statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(statement)


def analyze_tables(session, *tables) -> None:
    """Fresh planner statistics of some tables, inside the current transaction (both databases allow ANALYZE there;
    PostgreSQL counts the transaction's own new rows)."""
    from pipeline.tenancy.scope import as_table_owner

    with as_table_owner(session.connection()):  # the request's tenant role may not ANALYZE
        for table in tables:
            session.execute(text(f'ANALYZE "{table.name}"'))
