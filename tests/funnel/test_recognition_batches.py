"""省科小 batches: the county recommends firms in 培育, the list is published (公示), then recognised (认定) at once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.domain.stages import EntryClass, Stage
from pipeline.funnel.models import RecognitionBatch, StageMove
from pipeline.funnel.recognition import BatchError, create_batch, publicize_batch, recognize_batch
from pipeline.i18n import local_today


def test_a_batch_is_published_then_recognised_through_move_firm(db, make_firm, make_user, place_firm,
                                                                   track_by_code):
    track, officer = track_by_code("prov_sme"), make_user(Role.OFFICER)
    records = [place_firm(make_firm(), "prov_sme", Stage.CULTIVATING) for _ in range(2)]
    pooled = place_firm(make_firm(), "prov_sme", Stage.POOL)
    today = local_today()
    with pytest.raises(BatchError):
        create_batch(track, "第一批", [*records, pooled], actor=officer, now=records[0].stage_entered_at)
    batch = create_batch(track, " 第一批 ", records, actor=officer, now=records[0].stage_entered_at)
    assert batch.name == "第一批"
    with pytest.raises(BatchError, match="须先公示"):
        recognize_batch(batch, on=today, document_number="浙科发高〔2026〕88号", actor=officer,
                        now=records[0].stage_entered_at)
    with pytest.raises(BatchError):
        publicize_batch(batch, on=today + timedelta(days=1), today=today)
    publicize_batch(batch, on=today, today=today)
    result = recognize_batch(batch, on=today, document_number="浙科发高〔2026〕88号", actor=officer,
                             now=records[0].stage_entered_at)
    assert len(result.moved) == 2 and not result.refused
    assert {r.stage for r in records} == {Stage.CERTIFIED} and records[0].certificate_number == "浙科发高〔2026〕88号"
    move = db.session.scalar(select(StageMove).where(StageMove.firm_track_id == records[0].id,
                                                     StageMove.to_stage == Stage.CERTIFIED))
    assert move.note == "第一批（浙科发高〔2026〕88号）" and move.entry_class == EntryClass.FIRST_TIME
    with pytest.raises(BatchError, match="已认定"):
        recognize_batch(batch, on=today, document_number="x", actor=officer, now=records[0].stage_entered_at)


def test_the_batch_page_walks_the_steps_and_leaders_only_read(client, login_as, db, make_firm, place_firm):
    record = place_firm(make_firm(name="推荐企业"), "prov_sme", Stage.CULTIVATING)
    db.session.commit()
    login_as(Role.OFFICER)
    page = client.get("/funnel/batches/prov_sme").get_data(as_text=True)
    assert "推荐企业" in page and "新建推荐批次" in page
    client.post("/funnel/batches/prov_sme", data={"name": "2026年第一批", "record_id": [record.id]})
    batch = db.session.scalar(select(RecognitionBatch))
    today = local_today().isoformat()
    bad = client.post(f"/funnel/batches/item/{batch.id}/recognize", data={"recognized_on": today,
                                                                          "document_number": "浙科发高〔2026〕1号"})
    assert bad.status_code == 302
    db.session.refresh(record)
    assert record.stage is Stage.CULTIVATING  # not published yet: nothing moved
    client.post(f"/funnel/batches/item/{batch.id}/publicize", data={"publicized_on": today})
    client.post(f"/funnel/batches/item/{batch.id}/recognize", data={"recognized_on": today,
                                                                    "document_number": "浙科发高〔2026〕1号"})
    db.session.refresh(record)
    assert record.stage is Stage.CERTIFIED and record.certified_on == date.fromisoformat(today)
    login_as(Role.LEADER)
    assert client.get("/funnel/batches/prov_sme").status_code == 200
    assert client.post(f"/funnel/batches/item/{batch.id}/publicize", data={"publicized_on": today}).status_code == 403
    assert client.get("/funnel/batches/hnte").status_code == 404
