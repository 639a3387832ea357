"""The schema comes from Alembic only: upgrade an empty database to head, check for drift, go back to base."""

import os
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from config import normalize_database_url
from tests.conftest import make_test_app


@pytest.fixture
def scratch_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path}/migrate.db"
        return
    name = f"pipeline_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(normalize_database_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(normalize_database_url(base)).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


def test_upgrade_to_head_then_down_to_base(scratch_url):
    from flask_migrate import downgrade, upgrade

    app = make_test_app(scratch_url)
    with app.app_context():
        from pipeline.extensions import db

        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"user", "firm", "firm_track", "stage_move", "track", "alembic_version"} <= tables
        assert db.session.execute(sa.text("select count(*) from track")).scalar() >= 2
        db.session.remove()
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.session.remove()
        db.engine.dispose()


def test_models_and_migrations_do_not_drift(scratch_url):
    env = {**os.environ, "FLASK_APP": "wsgi", "PIPELINE_ENV": "testing", "TEST_DATABASE_URL": scratch_url}
    for args in (["db", "upgrade"], ["db", "check"]):
        result = subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
            [sys.executable, "-m", "flask", *args], env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected" in result.stdout + result.stderr
