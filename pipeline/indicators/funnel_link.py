"""The funnel services that indicators and imports use, in one place.

Stage changes go through the funnel's move_firm only; firm records through its create_firm / update_firm (which
keep the edit log). Nothing here decides a move: predict_move asks the same domain table move_firm asks.
"""

from __future__ import annotations

from datetime import date

from pipeline.domain.stages import ExitReason, MoveRequest, Stage, TransitionRefused, check_transition
from pipeline.firms.services import FirmError, create_firm, create_firms, update_firm
from pipeline.funnel.presenters import refusal_text
from pipeline.funnel.services import RecordChanged, acts_as_admin, move_firm, record_state, track_rule

__all__ = ["ExitReason", "FirmError", "RecordChanged", "Stage", "TransitionRefused", "create_firm", "create_firms",
           "move_firm", "predict_move", "refusal_text", "update_firm"]


def predict_move(record, track, to_stage: Stage, *, actor, today: date, **details) -> str | None:
    """None when move_firm would accept the move now, else the reason it would refuse (nothing changes)."""
    request = MoveRequest(to_stage=to_stage, is_admin=acts_as_admin(actor), **details)
    try:
        check_transition(track_rule(track), record_state(record), request, today=today)
    except TransitionRefused as refusal:
        return refusal_text(refusal)
    return None

