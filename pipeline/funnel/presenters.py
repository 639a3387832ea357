"""What the pages show about a record (days in stage, stale, next deadline, friendly status), computed once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from markupsafe import Markup, escape

from pipeline.domain.stages import (
    Deadline,
    PublicStatus,
    Stage,
    allowed_targets,
    is_stale,
    next_deadline,
    number_label,
    public_status,
    stage_label,
)
from pipeline.funnel.models import FirmTrack
from pipeline.funnel.services import acts_as_admin, record_state, track_rule
from pipeline.i18n import catalog_text, to_local


@dataclass(frozen=True)
class RecordView:
    """What a page shows about one record. The next deadline and the friendly status are worked out on first use:
    a list page of 50 firms presents ~90 records and shows neither."""

    record: FirmTrack
    today: date  # in the bureau's zone
    stale_days: int | None  # the record's stage threshold
    for_firm: bool
    days_in_stage: int
    stale: bool
    resume_due: bool  # paused and the planned resume date has come
    targets: tuple[Stage, ...]  # where the viewer may move it (empty for read-only viewers)

    @property
    def shows_resume_date(self) -> bool:
        """Paused with a planned resume date (the flags macro shows it)."""
        return self.record.stage is Stage.PAUSED and self.record.paused_until is not None

    @property
    def flagged(self) -> bool:
        """The flags macro (templates/funnel/_macros.html) has something to show: pages skip the call otherwise."""
        return self.stale or self.resume_due or self.shows_resume_date

    @cached_property
    def deadline(self) -> Deadline | None:
        record = self.record
        return next_deadline(track_rule(record.track), record.stage, today=self.today, expires_on=record.expires_on,
                             certified_on=record.certified_on, paused_until=record.paused_until,
                             last_activity_on=to_local(record.last_activity_at).date(), stale_days=self.stale_days,
                             for_firm=self.for_firm)

    @property
    def deadline_overdue(self) -> bool:
        """The next deadline has passed (a follow-up not made, a certificate run out): pages mark it."""
        return self.deadline is not None and self.deadline.due_on < self.today

    @cached_property
    def status(self) -> PublicStatus:
        record = self.record
        return public_status(record.stage, pool_number=record.pool_number, expires_on=record.expires_on,
                             paused_until=record.paused_until, today=self.today, track_code=record.track.code)


def present(record: FirmTrack, *, now: datetime, thresholds: dict[Stage, int], viewer=None,
            can_move: bool = False, for_firm: bool = False) -> RecordView:
    """Build what a page shows about one record."""
    today = to_local(now).date()
    stage, stale_days = record.stage, thresholds.get(record.stage)
    targets = tuple(allowed_targets(record_state(record), is_admin=acts_as_admin(viewer))) if can_move else ()
    return RecordView(
        record=record, today=today, stale_days=stale_days, for_firm=for_firm,
        days_in_stage=days_between(to_local(record.stage_entered_at).date(), today),
        stale=is_stale(stage, to_local(record.last_activity_at).date(), stale_days, today),
        resume_due=stage is Stage.PAUSED and record.paused_until is not None and record.paused_until <= today,
        targets=targets,
    )


def stage_badge(stage: Stage, track_code: str | None = None) -> Markup:
    """A stage's badge in the UI language (named as on the track: a 科小's 认定 reads 入库登记), for templates. A function
    rather than a Jinja macro: a list page or a board draws a hundred or more, and a macro call costs several times as
    much."""
    return Markup(f'<span class="badge stage-badge stage-{stage.value}">'  # noqa: S704 -- the label is escaped
                  f'{escape(catalog_text(stage_label(stage, track_code)))}</span>')


def stage_name(stage: Stage | str, track_code: str | None = None) -> str:
    """A stage's name as on a track, in the UI language (templates: stage_name(row.stage, row.track_code))."""
    return catalog_text(stage_label(Stage(stage), track_code))


def number_name(track_code: str | None) -> str:
    """What the track's certificate number is called, in the UI language (科小: 入库登记编号)."""
    return catalog_text(number_label(track_code))


def stage_msgids(track_code: str | None) -> dict[Stage, str]:
    """Every stage's name (a msgid) as on a track, for templates that translate it."""
    return {stage: stage_label(stage, track_code) for stage in Stage}


def stage_names(track_code: str | None) -> dict[Stage, str]:
    """Every stage's name as on a track, in the UI language."""
    return {stage: catalog_text(label) for stage, label in stage_msgids(track_code).items()}


def days_between(start: date, end: date) -> int:
    return max(0, (end - start).days)


def refusal_text(refusal) -> str:
    """A refusal in the user's language: its template and its string params go through the catalog."""
    from flask_babel import gettext

    return refusal.render(gettext)
