"""The schema comes from Alembic only: upgrade an empty database to head, check for drift, go back to base."""

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.conftest import make_test_app, scratch_database


@pytest.fixture
def scratch_url(tmp_path):
    with scratch_database("pipeline_mig", str(tmp_path)) as url:
        yield url


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


def test_lazy_certificate_pdf_down_refuses_copies_never_rendered_and_up_allows_them_again(scratch_url):
    """0008_lazy_certificate_pdf: down refuses while a copy has no PDF (it is a real certificate) and needs a PDF
    again; up allows none."""
    from flask_migrate import downgrade, upgrade

    from pipeline.bulk_county import build_county
    from pipeline.extensions import db

    app = make_test_app(scratch_url)
    with app.app_context():
        upgrade()
        build_county(40, now=datetime(2026, 3, 2, tzinfo=UTC))
        db.session.execute(sa.text("UPDATE certificate SET pdf = :pdf, pdf_sha256 = :sha WHERE id = "
                                   "(SELECT min(id) FROM certificate)"), {"pdf": b"%PDF-1.7", "sha": "0" * 64})
        db.session.commit()
        count = sa.text("SELECT count(*) FROM certificate")
        assert db.session.execute(count).scalar() > 1
        db.session.remove()
        with pytest.raises(SystemExit):  # Flask-Migrate logs the refusal (how many copies lack a PDF) and exits 1
            downgrade(revision="0007_track_name_en")
        assert db.session.execute(count).scalar() > 1  # nothing deleted
        db.session.remove()
        db.session.execute(sa.text("DELETE FROM certificate WHERE pdf_sha256 IS NULL"))  # the operator's choice
        db.session.commit()
        db.session.remove()
        downgrade(revision="0007_track_name_en")
        assert db.session.execute(count).scalar() == 1
        columns = {c["name"]: c for c in sa.inspect(db.engine).get_columns("certificate")}
        assert not columns["pdf"]["nullable"] and not columns["pdf_sha256"]["nullable"]
        db.session.remove()
        upgrade()
        columns = {c["name"]: c for c in sa.inspect(db.engine).get_columns("certificate")}
        assert columns["pdf"]["nullable"] and columns["pdf_sha256"]["nullable"]
        indexes = {i["name"]: i for i in sa.inspect(db.engine).get_indexes("certificate")}
        assert indexes["ix_certificate_one_valid"]["unique"]
        db.session.remove()
        db.engine.dispose()


def test_search_grams_migration_indexes_the_firms_already_there(scratch_url):
    """0011_firm_search_grams fills the index for the firms of an existing database, and its triggers follow."""
    from flask_migrate import downgrade, upgrade

    from pipeline.bulk_county import build_county
    from pipeline.extensions import db

    app = make_test_app(scratch_url)
    with app.app_context():
        upgrade()
        build_county(30, now=datetime(2026, 3, 2, tzinfo=UTC))
        db.session.commit()
        downgrade(revision="0010_dashboard_scale")
        upgrade()
        count = sa.text("select count(distinct firm_id) from firm_search_gram where gram = lower(:gram)")
        assert db.session.execute(sa.text("select count(distinct firm_id) from firm_search_gram")).scalar() == 30
        assert db.session.execute(count, {"gram": "有限"}).scalar() == 30
        db.session.execute(sa.text("update firm set name = '改名后的企业' where id = 1"))
        assert db.session.execute(count, {"gram": "改名"}).scalar() == 1
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_stage_tally_migration_counts_the_records_already_there(scratch_url):
    """0014_stage_tally counts the records of an existing database, and its triggers follow; down removes them."""
    from flask_migrate import downgrade, upgrade

    from pipeline.bulk_county import build_county
    from pipeline.extensions import db

    app = make_test_app(scratch_url)
    exact = sa.text("select track_id, stage, count(*) from firm_track group by track_id, stage order by 1, 2")
    tallied = sa.text("select track_id, stage, sum(records) from stage_tally group by track_id, stage "
                      "having sum(records) <> 0 order by 1, 2")
    with app.app_context():
        upgrade()
        build_county(40, now=datetime(2026, 3, 2, tzinfo=UTC))
        db.session.commit()
        downgrade(revision="0013_board_covering_index")
        db.session.execute(sa.text("update firm_track set stage = 'removed' where id = 1"))  # no triggers here
        db.session.commit()
        upgrade()
        records = db.session.execute(exact).all()
        assert sum(n for _track, _stage, n in records) > 40 and db.session.execute(tallied).all() == records
        db.session.execute(sa.text("update firm_track set stage = 'paused' where id = 2"))
        assert db.session.execute(tallied).all() == db.session.execute(exact).all()
        db.session.rollback()
        downgrade(revision="0013_board_covering_index")
        assert "stage_tally" not in sa.inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


def test_workbench_migration_copies_each_records_firm_town_and_officer_and_its_triggers_follow(scratch_url):
    """0024_workbench gives the records of an existing database their firm's town and officer, and its triggers keep
    them: a new record, a firm that changes town or officer (one firm, or many in one statement); down removes them."""
    from flask_migrate import downgrade, upgrade

    from pipeline.bulk_county import build_county
    from pipeline.extensions import db

    app = make_test_app(scratch_url)
    differ = ("select count(*) from firm_track r join firm f on f.id = r.firm_id where "
              "coalesce(r.town_id, -1) <> f.town_id or coalesce(r.officer_id, -1) <> coalesce(f.officer_id, -1)")
    with app.app_context():
        upgrade()
        build_county(40, now=datetime(2026, 3, 2, tzinfo=UTC))
        officer = db.session.execute(sa.text("insert into \"user\" (username, password_hash, role, display_name, "
                                             "email, session_token, created_at, active) values ('o', 'x', 'officer', "
                                             "'O', 'o@example.com', 't', '2026-03-02', true) returning id")).scalar()
        db.session.commit()
        downgrade(revision="0023_policies")
        db.session.execute(sa.text("update firm set officer_id = :o where id % 2 = 0"), {"o": officer})  # no triggers
        db.session.commit()
        upgrade()
        assert db.session.execute(sa.text("select count(*) from firm_track where officer_id = :o"),
                                  {"o": officer}).scalar() > 5
        assert db.session.execute(sa.text(differ)).scalar() == 0
        db.session.execute(sa.text("update firm set town_id = (select max(id) from town) where id = 3"))
        db.session.execute(sa.text("update firm set officer_id = null where officer_id is not null"))
        db.session.execute(sa.text("insert into firm_track (firm_id, track_id, stage, stage_entered_at, "
                                   "last_activity_at, pause_reason, version, created_at) select f.id, t.id, "
                                   "'screening', '2026-03-02', '2026-03-02', '', 1, '2026-03-02' from firm f, track t "
                                   "where f.id = 5 and t.code = 'rd_institution'"))
        assert db.session.execute(sa.text("select town_id from firm_track where firm_id = 5 and track_id = "
                                          "(select id from track where code = 'rd_institution')")).scalar()
        assert db.session.execute(sa.text(differ)).scalar() == 0
        db.session.commit()
        downgrade(revision="0023_policies")
        columns = {column["name"] for column in sa.inspect(db.engine).get_columns("firm_track")}
        assert not {"town_id", "officer_id"} & columns
        db.session.remove()
        db.engine.dispose()


def test_dashboard_tallies_migration_counts_the_history_already_there_and_its_triggers_follow(scratch_url):
    """0026_dashboard_aggregates tallies the moves of an existing database by day, by month and town and industry,
    and pairs a record's moves into (out of) the same stage; its triggers follow new moves, a firm that changes town
    and a firm deleted with its history; down removes them."""
    from flask_migrate import downgrade, upgrade

    from pipeline.bulk_county import build_county
    from pipeline.extensions import db

    app = make_test_app(scratch_url)
    checks = [  # (tallied, counted from the history): each pair of queries must give the same rows
        ("select track_id, to_stage, from_stage, sum(moves) from stage_move_day group by track_id, to_stage, "
         "from_stage having sum(moves) <> 0 order by 1, 2, 3",
         "select track_id, to_stage, coalesce(from_stage, ''), count(*) from stage_move group by track_id, to_stage, "
         "from_stage order by 1, 2, 3"),
        ("select track_id, to_stage, town_id, industry_id, sum(moves) from stage_move_place group by track_id, "
         "to_stage, town_id, industry_id having sum(moves) <> 0 order by 1, 2, 3, 4",
         "select m.track_id, m.to_stage, f.town_id, coalesce(f.industry_id, 0), count(*) from stage_move m join firm f "
         "on f.id = m.firm_id where m.to_stage in ('pool', 'certified') group by m.track_id, m.to_stage, f.town_id, "
         "f.industry_id order by 1, 2, 3, 4"),
        ("select count(*) from stage_move_pair",
         "select count(*) from stage_move n join stage_move o on o.firm_track_id = n.firm_track_id and o.id < n.id "
         "and o.to_stage = n.to_stage union all select count(*) from stage_move n join stage_move o on "
         "o.firm_track_id = n.firm_track_id and o.id < n.id and o.from_stage = n.from_stage"),
    ]

    def same():
        for tallied, counted in checks:
            rows = [tuple(row) for row in db.session.execute(sa.text(counted))]
            expected = [(sum(row[0] for row in rows),)] if tallied.startswith("select count") else rows
            assert [tuple(row) for row in db.session.execute(sa.text(tallied))] == expected, tallied

    with app.app_context():
        upgrade()
        build_county(40, now=datetime(2026, 3, 2, tzinfo=UTC))
        db.session.commit()
        same()
        db.session.rollback()  # PostgreSQL: the down migration waits for no open transaction
        downgrade(revision="0025_firm_list")
        db.session.execute(sa.text("insert into stage_move (firm_track_id, firm_id, track_id, from_stage, to_stage, "
                                   "moved_at, note, skipped) select id, firm_id, track_id, stage, 'removed', "
                                   "'2026-03-01 16:00:00', '', false from firm_track where id <= 5"))  # no triggers
        db.session.commit()
        upgrade()
        same()
        db.session.execute(sa.text("insert into stage_move (firm_track_id, firm_id, track_id, from_stage, to_stage, "
                                   "moved_at, note, skipped) select firm_track_id, firm_id, track_id, to_stage, "
                                   "'pool', '2026-03-02 01:00:00', '', false from stage_move where id <= 30"))
        db.session.execute(sa.text("update firm set town_id = (select max(id) from town), industry_id = null "
                                   "where id <= 10"))
        db.session.execute(sa.text("delete from firm where id in (11, 12)"))
        same()
        db.session.commit()
        downgrade(revision="0025_firm_list")
        assert "stage_move_day" not in sa.inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


TRIGGERS = {"firm_search_gram_insert", "firm_search_gram_update", "firm_search_gram_delete", "stage_tally_record_insert",
            "stage_tally_record_update", "stage_tally_record_delete", "stage_tally_firm_town", "stage_tally_firm_delete",
            "firm_track_scope_record", "firm_track_scope_firm", "stage_move_tally_insert", "stage_move_tally_delete",
            "stage_move_tally_firm_place", "stage_move_tally_firm_delete"}


def test_the_head_keeps_the_triggers_that_the_search_index_and_the_stage_tally_need(db):
    """A later migration that rebuilds firm or firm_track (SQLite's batch_alter_table copies the table) drops their
    triggers silently: the firm list's counts and the board's would then drift. The migrated test database is at
    head."""
    if db.engine.dialect.name == "sqlite":
        found = set(db.session.scalars(sa.text("select name from sqlite_master where type = 'trigger'")))
        expected = TRIGGERS
    else:
        found = set(db.session.scalars(sa.text("select tgname from pg_trigger where not tgisinternal")))
        expected = TRIGGERS | {"firm_search_gram_truncate", "stage_tally_record_truncate", "stage_move_tally_truncate"}
    assert expected <= found, expected - found
