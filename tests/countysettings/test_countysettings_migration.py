"""Migration 0030: today's settings become county 1's; a county added before it gets a copy of the rules, calendar
and account settings it ran on (not county 1's seal); going down keeps county 1's."""

import pytest
import sqlalchemy as sa

from tests.conftest import make_test_app, scratch_database


@pytest.fixture
def scratch_url(tmp_path):
    with scratch_database("pipeline_countysettings", str(tmp_path)) as url:
        yield url


def rows(db, sql: str) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(sa.text(sql)).all()]


def test_settings_become_county_ones_and_an_earlier_second_county_gets_a_copy(scratch_url):
    from flask_migrate import downgrade, upgrade

    app = make_test_app(scratch_url)
    with app.app_context():
        from pipeline.extensions import db

        upgrade(revision="0029_api_clients")
        db.session.execute(sa.text("INSERT INTO authority (id, level, name, code, bureau_name, sort_order) "
                                   "VALUES (2, 'county', '嵊州市', '330683', '', 0)"))
        db.session.execute(sa.text("UPDATE reminder_rule SET enabled = false, subject_template = '改过的主题' "
                                   "WHERE code = 'stale_digest'"))
        db.session.execute(sa.text("INSERT INTO account_setting (key, value, updated_at) "
                                   "VALUES ('two_factor_required', '1', '2026-12-01 00:00:00')"))
        db.session.execute(sa.text("INSERT INTO certificate_seal (id, enabled, updated_at) "
                                   "VALUES (1, false, '2026-12-01 00:00:00')"))
        db.session.execute(sa.text("INSERT INTO reminder (county_id, rule_code, target, due_on, title, body, items, "
                                   "created_at) VALUES (2, 'stale_digest', 'user:9', '2026-12-07', 't', 'b', '[]', "
                                   "'2026-12-07 00:00:00')"))
        db.session.commit()
        db.session.remove()
        upgrade(revision="0030_county_settings")
        for county in (1, 2):
            assert rows(db, f"SELECT enabled, subject_template FROM reminder_rule WHERE code = 'stale_digest' "  # noqa: S608
                            f"AND county_id = {county}") == [(False, "改过的主题")]
            assert rows(db, f"SELECT count(*) FROM reminder_rule WHERE county_id = {county}") == [(8,)]  # noqa: S608
            assert rows(db, f"SELECT count(*) FROM hnte_batch WHERE county_id = {county}") == [(6,)]  # noqa: S608
            assert rows(db, f"SELECT value FROM account_setting WHERE county_id = {county}") == [("1",)]  # noqa: S608
        assert rows(db, "SELECT county_id FROM certificate_seal") == [(1,)]
        db.session.remove()
        downgrade(revision="0029_api_clients")
        assert rows(db, "SELECT count(*) FROM reminder_rule") == [(8,)]
        assert rows(db, "SELECT count(*) FROM hnte_batch") == [(6,)]
        assert rows(db, "SELECT rule_code FROM reminder") == [("stale_digest",)]
        db.session.remove()
        db.engine.dispose()
