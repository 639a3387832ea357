"""What the bench scripts share: a county of N firms in a scratch database, timing, and a logged-in test client.

A county is built once per database with `flask seed-demo`'s bulk builder (pipeline/bulk_county.py) and reused by
later runs while its firm count matches, so `make bench` builds the 100,000-firm county only the first time.
Never point a bench at real data: a database whose firm count differs is wiped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/"
BUILD_GOAL_SECONDS = 180  # issue 9: the bulk county of 100,000 firms in under 3 minutes


class Goals:
    """The goals of one bench run: check() gives each verdict and counts the misses, exit_code() is 1 after any
    (bench/run_all.py counts a script as failed by its exit code)."""

    def __init__(self) -> None:
        self.missed = 0

    def check(self, ok: bool) -> str:
        self.missed += not ok
        return "met" if ok else "MISSED"

    def exit_code(self) -> int:
        return 1 if self.missed else 0


def python_loop_ms(iterations: int = 5_000_000) -> float:
    """Milliseconds of a fixed pure-Python loop (best of three): the machine's speed at the moment. Printed beside
    figures with an absolute goal (moves per second, load p95), since a shared machine's speed moves by 1.5× within
    an hour and such figures move with it."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(iterations):
            total += i
        best = min(best, time.perf_counter() - started)
    return best * 1000


def scratch_url(name: str, backend: str) -> str:
    """A scratch database of a bench: /tmp/pipeline-bench-<name>.db or PostgreSQL pipeline_bench_<name>."""
    if backend == "postgresql":
        url = f"{os.environ.get('BENCH_PG_SERVER', DEFAULT_PG)}pipeline_bench_{name}"
        create_pg_database(url)
        return url
    return f"sqlite:////tmp/pipeline-bench-{name}.db"


def database_url(firms: int, backend: str) -> str:
    """The scratch database of a county size: /tmp/pipeline-bench-<firms>.db or PostgreSQL pipeline_bench_<firms>
    ($BENCH_TAG, if set, goes before the size: separate counties for runs side by side)."""
    return scratch_url(f"{os.environ.get('BENCH_TAG', '')}{firms}", backend)


def add_backend_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default=os.environ.get("BENCH_BACKEND", "sqlite"),
                        help="database of the run (default: $BENCH_BACKEND or sqlite)")


def add_rebuild_argument(parser: argparse.ArgumentParser) -> None:
    """--rebuild, for the scripts that run on a county (county_app, county_copy_app)."""
    parser.add_argument("--rebuild", action="store_true", help="build the counties again even if they exist")


def _bench_app(url: str):
    """A development app on the database at `url` that sends no mail."""
    os.environ["DATABASE_URL"] = url
    from pipeline import create_app

    app = create_app("development")
    app.config.update(PIPELINE_LEADER_EMAILS=[], MAIL_SERVER="")
    return app


def county_app(firms: int, backend: str, goals: Goals, *, rebuild: bool = False):
    """An app on a scratch database holding a bulk-built county of `firms` firms (built if missing; the build's
    time is checked against BUILD_GOAL_SECONDS in `goals`). Its database: app.config["SQLALCHEMY_DATABASE_URI"]."""
    from flask_migrate import upgrade

    from pipeline.extensions import db

    app = _bench_app(database_url(firms, backend))
    with app.app_context():
        if rebuild or _firm_count(db) != firms:
            started = time.perf_counter()
            _wipe(db)
            upgrade()
            from pipeline.bulk_county import seed_bulk_demo

            counts, _users = seed_bulk_demo(firms, now=datetime.now(UTC), password_min_length=10)
            db.session.commit()
            analyze(db)
            seconds = time.perf_counter() - started
            print(f"  built county of {firms:,} firms in {seconds:.1f} s (goal < {BUILD_GOAL_SECONDS} s: "
                  f"{goals.check(seconds < BUILD_GOAL_SECONDS)}): {counts}", flush=True)
        else:
            before = _revision(db)
            upgrade()  # a county built before a newer migration gets its indexes…
            if _revision(db) != before:
                analyze(db)  # …and their statistics (once, not on every run of a bench)
        db.session.remove()
    return app


def analyze(db) -> None:
    from pipeline.db import refresh_planner_statistics

    refresh_planner_statistics(db.engine)


def _revision(db) -> str | None:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _firm_count(db) -> int | None:
    try:
        with db.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM firm").scalar()
    except Exception:  # noqa: BLE001 (no table yet: an empty scratch database)
        return None


@contextmanager
def on_server(url: str) -> Iterator[tuple]:
    """(connection, name): an autocommit connection to the `postgres` database of the server of the PostgreSQL
    database at `url` (to create, copy or drop that database, or find its backends), and that database's name."""
    import psycopg

    server, name = url.replace("postgresql+psycopg://", "postgresql://", 1).rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        yield connection, name


def create_pg_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    with on_server(url) as (connection, name):
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def _wipe(db) -> None:
    """Drop whatever an earlier run left, whichever revision it was at."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
            return
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        names = [row[0] for row in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for name in names:
            conn.exec_driver_sql(f'DROP TABLE "{name}"')


def logged_in_client(app, username: str):
    """A test client with the session of a demo user (no password round: that is not what is measured)."""
    from sqlalchemy import select

    from pipeline.auth.models import User
    from pipeline.extensions import db

    with app.app_context():
        token = db.session.scalar(select(User.session_token).where(User.username == username))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def interleaved_medians(calls: dict[str, Callable[[], object]], rounds: int, warmup: int = 1, *,
                        clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """The median seconds of each call over `rounds` rounds after `warmup` untimed ones, by wall time or by `clock`
    (time.process_time: this process's CPU). The calls take turns in every round, so that a burst of load on the
    shared machine falls on all of them alike, not on one side of a ratio."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            started = clock()
            call()
            samples[name].append(clock() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def county_copy_app(firms: int, backend: str, goals: Goals, *, suffix: str, rebuild: bool = False):
    """An app on a fresh copy of the county of `firms` firms, for a bench that writes: each run starts from the same
    data, and the county the other benches read stays as it is. drop_county_copy() removes the copy."""
    import shutil

    from pipeline.extensions import db

    source = county_app(firms, backend, goals, rebuild=rebuild)
    with source.app_context():
        db.engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
    source_url, url = database_url(firms, backend), _copy_url(firms, backend, suffix)
    if backend == "postgresql":
        with on_server(url) as (connection, name):
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source_url.rsplit("/", 1)[1]}"')
    else:
        copy = url.removeprefix("sqlite:///")
        shutil.copyfile(source_url.removeprefix("sqlite:///"), copy)
        # The copy's ~1 GB sits dirty in the page cache: flush it now, or the bench's first WAL checkpoint (its
        # fsync) pays for writing the whole copy to disk (~1 s inside the timed moves).
        with open(copy, "rb+") as copied:
            os.fsync(copied.fileno())
    return _bench_app(url)


def drop_county_copy(app, firms: int, backend: str, *, suffix: str) -> None:
    from pipeline.extensions import db

    with app.app_context():
        db.engine.dispose()
    url = _copy_url(firms, backend, suffix)
    if backend == "postgresql":
        with on_server(url) as (connection, name):
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def _copy_url(firms: int, backend: str, suffix: str) -> str:
    source = database_url(firms, backend)
    return f"{source}_{suffix}" if backend == "postgresql" else f"{source.removesuffix('.db')}-{suffix}.db"


@contextmanager
def counted_statements(app) -> Iterator[list]:
    """`with counted_statements(app) as counted:` — len(counted) is the SQL statements the app's engine ran inside."""
    from sqlalchemy import event

    from pipeline.extensions import db

    counted: list = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: counted.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", listener)
