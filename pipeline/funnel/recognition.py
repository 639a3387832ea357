"""Recognition batches (省科小): the county recommends firms in 培育, the list is published (公示), then the city or
province recognises them under one document (认定), which moves every firm of the batch to 认定 through move_firm.

Services flush, never commit. A refusal of the whole step raises BatchError with a Chinese message; a firm that
cannot move is listed with its reason and the others still move (as bulk_move does).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.domain.stages import Stage
from pipeline.domain.text import N_
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, RecognitionBatch, RecognitionBatchEntry, Track
from pipeline.funnel.services import BulkResult, bulk_move


class BatchError(Exception):
    """A batch step the rules refuse; the message is a Chinese msgid with %(name)s params."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


def list_batches(track: Track) -> list[RecognitionBatch]:
    return list(db.session.scalars(select(RecognitionBatch).where(RecognitionBatch.track_id == track.id)
                                   .order_by(RecognitionBatch.id.desc())))


def list_recommendable(track: Track, town_ids=None) -> list[FirmTrack]:
    """Records in 培育 on the track that no open batch holds yet: the county's possible recommendations."""
    open_entries = (select(RecognitionBatchEntry.firm_track_id).join(RecognitionBatch)
                    .where(RecognitionBatch.recognized_on.is_(None)))
    stmt = select(FirmTrack).where(FirmTrack.track_id == track.id, FirmTrack.stage == Stage.CULTIVATING,
                                   FirmTrack.id.not_in(open_entries))
    if town_ids is not None:
        stmt = stmt.join(Firm, Firm.id == FirmTrack.firm_id).where(Firm.town_id.in_(list(town_ids)))
    return list(db.session.scalars(stmt.order_by(FirmTrack.id)))


def create_batch(track: Track, name: str, records: list[FirmTrack], *, actor: User, now: datetime) -> RecognitionBatch:
    """Start a batch of recommended records (all in 培育 on the track)."""
    name = " ".join((name or "").split())
    if not name:
        raise BatchError(N_("请填写批次名称，如“%(year)s年第一批”。"), year=now.year)
    if db.session.scalar(select(RecognitionBatch.id).where(RecognitionBatch.track_id == track.id,
                                                           RecognitionBatch.name == name)):
        raise BatchError(N_("已有名为“%(name)s”的批次。"), name=name)
    if not records or any(r.track_id != track.id or r.stage is not Stage.CULTIVATING for r in records):
        raise BatchError(N_("请勾选处于“培育”阶段的企业。"))
    batch = RecognitionBatch(track_id=track.id, name=name, created_at=now, created_by_id=actor.id,
                             entries=[RecognitionBatchEntry(firm_track_id=r.id) for r in records])
    db.session.add(batch)
    db.session.flush()
    return batch


def publicize_batch(batch: RecognitionBatch, *, on: date, today: date) -> None:
    """Record the day the batch's list was published for objections (公示)."""
    if batch.recognized_on is not None:
        raise BatchError(N_("该批次已认定。"))
    if on > today:
        raise BatchError(N_("公示日期不能晚于今天。"))
    batch.publicized_on = on
    db.session.flush()


def recognize_batch(batch: RecognitionBatch, *, on: date, document_number: str, actor: User,
                    now: datetime) -> BulkResult:
    """认定: move every firm of the published batch to 认定 with the document's number and date."""
    number = (document_number or "").strip()
    if batch.recognized_on is not None:
        raise BatchError(N_("该批次已认定。"))
    if batch.publicized_on is None or on < batch.publicized_on:
        raise BatchError(N_("须先公示，认定日期不能早于公示日期。"))
    if not number:
        raise BatchError(N_("请填写认定文件文号。"))
    result = bulk_move([(entry.firm_track, None) for entry in batch.entries], Stage.CERTIFIED, actor=actor, now=now,
                       certificate_number=number, issued_on=on, note=f"{batch.name}（{number}）")
    batch.recognized_on, batch.document_number = on, number
    db.session.flush()
    return result
