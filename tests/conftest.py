"""Shared fixtures: one migrated database per test session, emptied after every test."""

from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import contextmanager
from datetime import date
from functools import cache

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import delete, insert, select

from config import TestConfig, normalize_database_url
from pipeline import create_app
from pipeline.auth.models import Role, User
from pipeline.auth.passwords import hash_password
from pipeline.db import Base
from pipeline.demo import demo_credit_code
from pipeline.extensions import db as _db
from pipeline.firms.models import Firm, Industry, Town

# Tables whose rows the migrations themselves insert; restored after each test.
REFERENCE_TABLES = ("track", "stage_setting")
REFERENCE_TABLES += ("reminder_rule", "program_year", "hnte_batch")  # rows of migration 0003
REFERENCE_TABLES += ("search_position",)  # rows of migration 0011
REFERENCE_TABLES += ("document_type",)  # rows of migration 0019
REFERENCE_TABLES += ("authority",)  # the installation's county, migration 0028
PASSWORD = "correct-horse-battery"


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per session


@contextmanager
def scratch_database(prefix: str, sqlite_folder: str):
    """Yield the URL of a new empty database: a PostgreSQL database beside TEST_DATABASE_URL, else a SQLite file."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{sqlite_folder}/{prefix}.db"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(normalize_database_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(normalize_database_url(base)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def database_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="pipeline-test-") as folder:
        yield f"sqlite:///{folder}/test.db"


class IsolatedClient(FlaskClient):
    """Run each request in its own app context, as a server does: fresh `g`, fresh database session; the response
    is read whole and closed, as a server closes it (a download sent from a temporary file closes that file)."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if _db.session.registry.has():
            _db.session.expire_all()  # let the test see what the request committed
        return response


def make_test_app(database_url: str, **overrides):
    config = TestConfig(env={**os.environ, "TEST_DATABASE_URL": database_url})
    for key, value in overrides.items():
        setattr(config, key, value)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def _migrated(database_url):
    from flask_migrate import downgrade, upgrade

    app = make_test_app(database_url)
    with app.app_context():
        downgrade(revision="base") if _has_tables() else None
        upgrade()
        snapshot = {name: [dict(row._mapping) for row in _db.session.execute(select(Base.metadata.tables[name]))]
                    for name in REFERENCE_TABLES}
        _db.session.remove()
        _db.engine.dispose()
    return snapshot


def _has_tables() -> bool:
    from sqlalchemy import inspect

    return bool(inspect(_db.engine).get_table_names())


@pytest.fixture(scope="session")
def _app(database_url, _migrated):
    app = make_test_app(database_url)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def app(_app, _migrated):
    with _app.app_context():
        yield _app
        _db.session.remove()
        _empty_database(_migrated)


@pytest.fixture
def make_app(database_url, app):
    """Build another app on the test database with some settings changed; its connections close after the test."""
    made = []

    def factory(**overrides):
        made.append(make_test_app(database_url, **overrides))
        return made[-1]

    yield factory
    for other in made:
        with other.app_context():
            _db.engine.dispose()


# Append-only in the database (migration 0016): their rows go with the cascade from firm_track and firm.
CASCADED_TABLES = ("stage_move", "service_record")
# Append-only without exception (migration 0018): emptied past its triggers by empty_append_only().
APPEND_ONLY_TABLES = ("audit_event",)


def empty_append_only(conn, name: str) -> None:
    """Empty a table whose triggers refuse every DELETE: TRUNCATE on PostgreSQL (it fires no row trigger); on SQLite
    drop the triggers, delete and create them again, in this transaction."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f'TRUNCATE "{name}"')
        return
    triggers = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                    (name,)).all()
    for trigger, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{trigger}"')
    conn.exec_driver_sql(f'DELETE FROM "{name}"')
    for _trigger, sql in triggers:
        conn.exec_driver_sql(sql)


def _empty_database(snapshot) -> None:
    from pipeline.tenancy.scope import forget_authorities

    forget_authorities()  # the authority rows go back to the snapshot's below, past the ORM
    with _db.engine.begin() as conn:
        for name in APPEND_ONLY_TABLES:
            empty_append_only(conn, name)
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in CASCADED_TABLES + APPEND_ONLY_TABLES:
                conn.execute(delete(table))
        # Deleting records and firms appended -1 rows to the stage tally and the dashboard's tallies (their
        # triggers): empty them last.
        for name in ("stage_tally", "stage_move_day", "stage_move_place", "stage_move_pair"):
            conn.execute(delete(Base.metadata.tables[name]))
        for name, rows in snapshot.items():
            if rows:
                conn.execute(insert(Base.metadata.tables[name]), rows)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_town(db):
    def factory(name="南明街道", sort_order=0):
        town = db.session.scalar(select(Town).where(Town.name == name))
        if town is None:
            town = Town(name=name, sort_order=sort_order)
            db.session.add(town)
            db.session.flush()
        return town

    return factory


@pytest.fixture
def make_firm(db, make_town):
    counter = iter(range(1, 10**6))

    def factory(**kw):
        index = next(counter)
        town = kw.pop("town", None) or make_town(kw.pop("town_name", "南明街道"))
        industry = kw.pop("industry", None)
        if industry is None:
            industry = db.session.scalar(select(Industry).where(Industry.name == "轴承")) or Industry(name="轴承")
        values = dict(credit_code=demo_credit_code(900000 + index), name=f"测试企业{index}有限公司",
                      registered_on=date(2018, 5, 1), contact_email=f"firm{index}@example.com")
        values.update(kw)
        firm = Firm(town=town, industry=industry, **values)
        db.session.add(firm)
        db.session.flush()
        return firm

    return factory


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10**6))

    def factory(role=Role.OFFICER, **kw):
        index = next(counter)
        values = dict(username=f"{Role(role).value}{index}", password_hash=password_hash(), role=Role(role),
                      display_name=f"用户{index}", email=f"user{index}@example.com")
        values.update(kw)
        user = User(**values)
        db.session.add(user)
        db.session.flush()
        return user

    return factory


@pytest.fixture
def login_as(client, db, make_user, make_firm):
    """Log the test client in as a new user of a role (firm users get a firm unless one is given), or as an existing
    `user`."""

    def login(role=Role.OFFICER, *, user=None, **kw):
        if user is None:
            if Role(role) is Role.FIRM and "firm" not in kw:
                kw["firm"] = make_firm()
            user = make_user(role, **kw)
            db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user.session_token
            session["_fresh"] = True
        return user

    return login


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 (see tests/smtp.py); the app's MAIL_* settings point at it."""
    from tests.smtp import SmtpServer

    server = SmtpServer().start()
    for key, value in dict(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5.0, MAIL_USE_TLS=False,
                           MAIL_USE_SSL=False, MAIL_USERNAME="", MAIL_PASSWORD="").items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.stop()


@pytest.fixture
def count_queries(db):
    """`with count_queries() as counted:` counts the SQL statements run in the block (counted.count)."""
    from contextlib import contextmanager
    from types import SimpleNamespace

    from sqlalchemy import event

    @contextmanager
    def counting():
        counted = SimpleNamespace(count=0, statements=[])

        def listener(conn, cursor, statement, parameters, context, executemany):
            counted.count += 1
            counted.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield counted
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)

    return counting


@pytest.fixture
def track_by_code(db):
    from pipeline.funnel.models import Track

    def get(code: str) -> Track:
        return db.session.scalar(select(Track).where(Track.code == code))

    return get


@pytest.fixture
def place_firm(db, track_by_code):
    """Walk a firm up its track to a stage through move_firm (as the system), the way officers would."""
    from datetime import timedelta

    from pipeline.db import utcnow
    from pipeline.domain.stages import Stage as S
    from pipeline.funnel.services import move_firm
    from pipeline.i18n import to_local

    paths = {S.SCREENING: [S.SCREENING], S.POOL: [S.SCREENING, S.POOL],
             S.CULTIVATING: [S.SCREENING, S.POOL, S.CULTIVATING],
             S.CERTIFIED: [S.SCREENING, S.POOL, S.CULTIVATING, S.CERTIFIED],
             S.FAILED: [S.SCREENING, S.POOL, S.CULTIVATING, S.FAILED],
             S.PAUSED: [S.SCREENING, S.POOL, S.CULTIVATING, S.PAUSED],
             S.EXPIRED: [S.SCREENING, S.POOL, S.CULTIVATING, S.CERTIFIED, S.EXPIRED],
             S.REMOVED: [S.SCREENING, S.REMOVED]}
    numbers = iter(range(1, 10**6))

    def place(firm, code: str, stage, *, now=None, actor=None):
        now = now or utcnow()
        today = to_local(now).date()
        track, record = track_by_code(code), None
        for step in paths[S(stage)]:
            details, step_today = {}, today
            if step is S.CERTIFIED:
                issued = today - timedelta(days=1200 if code == "hnte" else 400) if S(stage) is S.EXPIRED else today
                details = {"issued_on": issued, "certificate_number": f"GR{issued.year}33{next(numbers):06d}"
                           if code == "hnte" else f"{issued.year}330624{next(numbers):05d}"}
                step_today = issued
            elif step is S.PAUSED:
                details = {"note": "测试暂缓", "resume_on": today + timedelta(days=30)}
            elif step is S.REMOVED:
                details = {"reason_code": "withdrawn"}
            record = move_firm(record or (firm, track), step, actor=actor, now=now, today=step_today,
                               **details).firm_track
        db.session.commit()
        return record

    return place
