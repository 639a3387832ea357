"""Builders for certificate tests: a firm's record in the pool, a simulated funnel move, an issued certificate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from pipeline.certificates.services import issue_admission_certificate
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack, StageMove, Track
from pipeline.signals import stage_changed

RARE_NAME = "新昌喆垚犇燊堃昇鑫珺玥䶮㮾精密轴承有限公司"
NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # 10:30 in Xinchang


@pytest.fixture
def track(db):
    def get(code="tech_sme"):
        return db.session.scalar(select(Track).where(Track.code == code))

    return get


@pytest.fixture
def make_record(db, make_firm, track):
    """A firm's record on a track, in the pool with a pool number unless told otherwise."""
    counter = iter(range(1, 10**6))

    def factory(firm=None, *, stage=Stage.POOL, number="auto", code="tech_sme"):
        index = next(counter)
        record = FirmTrack(firm=firm or make_firm(), track=track(code), stage=stage,
                           pool_number=f"科小-2026-{index:04d}" if number == "auto" else number)
        db.session.add(record)
        db.session.flush()
        return record

    return factory


@pytest.fixture
def issue(db, make_record):
    """Issue the 入库证书 of a new pool record (or of the given one) and commit, as a request would."""
    def factory(record=None, *, actor=None, now=NOW, **firm_kw):
        if record is None:
            record = make_record(**firm_kw)
        certificate = issue_admission_certificate(record, actor=actor, now=now)
        db.session.commit()
        return certificate

    return factory


@pytest.fixture
def move(db):
    """Simulate the funnel's move_firm: append the StageMove, set the stage, send stage_changed."""
    def send(record, to_stage, *, actor=None, now=NOW, reason_code=None, note=""):
        row = StageMove(firm_track_id=record.id, firm_id=record.firm_id, track_id=record.track_id,
                        from_stage=record.stage, to_stage=to_stage, moved_at=now, actor_id=actor.id if actor else None,
                        reason_code=reason_code, note=note)
        record.stage = to_stage
        db.session.add(row)
        db.session.flush()
        stage_changed.send(record, move=row, actor=actor, now=now)
        return row

    return send
