"""0017_bureau_numbers classifies the older entries into 认定 as move_firm classifies new ones."""

from datetime import UTC, datetime

import sqlalchemy as sa

from tests.conftest import make_test_app
from tests.test_migrations import scratch_url  # noqa: F401 (fixture)

CLASSES = sa.text("SELECT id, entry_class FROM stage_move WHERE to_stage = 'certified' ORDER BY id")


def test_backfill_gives_the_classes_the_domain_gives(scratch_url):  # noqa: F811
    from flask_migrate import downgrade, upgrade

    from pipeline.bulk_county import build_county
    from pipeline.extensions import db

    app = make_test_app(scratch_url)
    with app.app_context():
        upgrade()
        build_county(60, now=datetime(2026, 3, 2, tzinfo=UTC))  # walks decided by check_transition
        db.session.commit()
        decided = db.session.execute(CLASSES).all()
        assert {kind for _id, kind in decided} >= {"first_time", "repeat"}
        db.session.remove()
        downgrade(revision="0016_hardening")
        upgrade()
        assert db.session.execute(CLASSES).all() == decided
        db.session.remove()
        db.engine.dispose()
