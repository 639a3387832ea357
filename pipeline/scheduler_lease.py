"""Exactly one active scheduler: a PostgreSQL advisory lock, or (SQLite) a lease row renewed by a heartbeat.

A second `flask scheduler run` started by mistake waits as a standby and takes over when the first one stops. The
claims of the outbox and the unique reminders keep even an overlap from sending anything twice."""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, Text, or_, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.db import Base, UTCDateTime, insert_or_ignore

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
ADVISORY_LOCK_KEY = 0x50495045  # "PIPE"; PostgreSQL scopes advisory locks to the database
EXPIRED = datetime(2000, 1, 1, tzinfo=UTC)
TRY_LOCK = text("SELECT pg_try_advisory_lock(:key)")
HOLDS_LOCK = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                  "AND classid = 0 AND objid = :key AND objsubid = 1 AND granted")


class SchedulerLease(Base):
    """Who runs the scheduler, until when. On SQLite this row decides; on PostgreSQL the advisory lock decides and
    the row only tells people who holds it."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobRun(Base):
    """The last run of each scheduled job: the catch-up at start compares it with the job's schedule."""

    __tablename__ = "scheduler_job_run"

    job_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class RowLease:
    """A lease row with an expiry: whoever holds an unexpired lease runs; the holder renews it on each heartbeat."""

    def __init__(self, engine: Engine, ttl_seconds: int, holder: str | None = None):
        self.engine, self.ttl = engine, timedelta(seconds=ttl_seconds)
        self.holder = holder or holder_name()
        self.held = False

    def acquire_or_renew(self, now: datetime) -> bool:
        table = SchedulerLease.__table__
        try:
            with self.engine.begin() as conn:
                renewed = conn.execute(
                    update(table)
                    .where(table.c.name == LEASE_NAME,
                           or_(table.c.holder == self.holder, table.c.expires_at < now))
                    .values(holder=self.holder, expires_at=now + self.ttl)).rowcount
                if not renewed:
                    renewed = insert_or_ignore(conn, SchedulerLease, dict(
                        name=LEASE_NAME, holder=self.holder, expires_at=now + self.ttl), key="name") is not None
        except SQLAlchemyError as exc:  # database busy or gone: we cannot prove we hold it, so we do not
            log.warning("scheduler lease: %s", exc)
            renewed = False
        self.held = bool(renewed)
        return self.held

    def release(self) -> None:
        if not self.held:
            return
        table = SchedulerLease.__table__
        with self.engine.begin() as conn:  # expire it now: a standby takes over at its next heartbeat
            conn.execute(update(table).where(table.c.name == LEASE_NAME, table.c.holder == self.holder)
                         .values(expires_at=EXPIRED))
        self.held = False


class AdvisoryLock:
    """PostgreSQL: a session-level advisory lock on a connection kept open; it ends when the process or link dies.

    The holder also writes its name in the lease row, for people (`flask scheduler jobs`), not for the decision."""

    def __init__(self, engine: Engine, ttl_seconds: int, key: int = ADVISORY_LOCK_KEY):
        self.engine, self.ttl, self.key = engine, timedelta(seconds=ttl_seconds), key
        self.holder = holder_name()
        self.conn: Connection | None = None
        self.held = False

    def acquire_or_renew(self, now: datetime) -> bool:
        try:
            if self.conn is None:
                self.conn = self.engine.connect()
            if self.held:  # a reconnect behind our back would be a new session without the lock
                self.held = bool(self.conn.execute(HOLDS_LOCK, {"key": self.key}).scalar())
            if not self.held:
                self.held = bool(self.conn.execute(TRY_LOCK, {"key": self.key}).scalar())
            if self.held:
                _write_row(self.conn, self.holder, now + self.ttl)
            self.conn.commit()
        except SQLAlchemyError as exc:
            log.warning("scheduler lock: %s", exc)
            self._drop()
        return self.held

    def _drop(self) -> None:
        self.held = False
        if self.conn is not None:
            try:
                self.conn.invalidate()
                self.conn.close()
            except SQLAlchemyError:
                pass
            self.conn = None

    def release(self) -> None:
        if self.conn is not None and self.held:
            try:
                _write_row(self.conn, self.holder, EXPIRED)
                self.conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self.conn.commit()
            except SQLAlchemyError:
                pass
        self.held = False
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _write_row(conn: Connection, holder: str, expires_at: datetime) -> None:
    table = SchedulerLease.__table__
    if not conn.execute(update(table).where(table.c.name == LEASE_NAME)
                        .values(holder=holder, expires_at=expires_at)).rowcount:
        insert_or_ignore(conn, SchedulerLease, dict(name=LEASE_NAME, holder=holder, expires_at=expires_at), key="name")


def make_lease(engine: Engine, ttl_seconds: int):
    """The advisory lock where the database has one, else the lease row."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine, ttl_seconds)
    return RowLease(engine, ttl_seconds)
