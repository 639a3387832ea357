"""What the pages show about a record (days in stage, stale, next deadline, friendly status), computed once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pipeline.domain.stages import (
    Deadline,
    PublicStatus,
    Stage,
    allowed_targets,
    is_stale,
    next_deadline,
    public_status,
)
from pipeline.funnel.models import FirmTrack
from pipeline.funnel.services import acts_as_admin, record_state, track_rule
from pipeline.i18n import to_local


@dataclass(frozen=True)
class RecordView:
    record: FirmTrack
    days_in_stage: int
    stale: bool
    deadline: Deadline | None
    status: PublicStatus
    resume_due: bool  # paused and the planned resume date has come
    targets: tuple[Stage, ...]  # where the viewer may move it (empty for read-only viewers)


def present(record: FirmTrack, *, now: datetime, thresholds: dict[Stage, int], viewer=None,
            can_move: bool = False, for_firm: bool = False) -> RecordView:
    """Build what a page shows about one record."""
    today = to_local(now).date()
    deadline = next_deadline(track_rule(record.track), record.stage, today=today, expires_on=record.expires_on,
                             certified_on=record.certified_on, paused_until=record.paused_until,
                             last_activity_on=to_local(record.last_activity_at).date(),
                             stale_days=thresholds.get(record.stage), for_firm=for_firm)
    targets = tuple(allowed_targets(record_state(record), is_admin=acts_as_admin(viewer))) if can_move else ()
    return RecordView(
        record=record,
        days_in_stage=days_between(to_local(record.stage_entered_at).date(), today),
        stale=is_stale(record.stage, to_local(record.last_activity_at).date(), thresholds.get(record.stage), today),
        deadline=deadline,
        status=public_status(record.stage, pool_number=record.pool_number, expires_on=record.expires_on,
                             paused_until=record.paused_until),
        resume_due=record.stage is Stage.PAUSED and record.paused_until is not None and record.paused_until <= today,
        targets=targets,
    )


def days_between(start: date, end: date) -> int:
    return max(0, (end - start).days)


def refusal_text(refusal) -> str:
    """A refusal in the user's language: its template and its string params go through the catalog."""
    from flask_babel import gettext

    return refusal.render(gettext)
