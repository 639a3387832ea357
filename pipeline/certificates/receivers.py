"""Follow the funnel: issue the 入库证书 when a record enters the pool, revoke it when the firm leaves (出库)."""

from __future__ import annotations

import logging

from pipeline.certificates.services import (
    CertificateError,
    ensure_admission_certificate,
    revoke_certificates_of_record,
)
from pipeline.domain.stages import EXIT_REASON_LABELS, ExitReason, Stage
from pipeline.signals import stage_changed

log = logging.getLogger(__name__)


def exit_reason_text(move) -> str:
    try:
        label = EXIT_REASON_LABELS[ExitReason(move.reason_code)]
    except ValueError:
        label = ""
    note = (move.note or "").strip()
    return "企业出库" + (f"（{label}）" if label else "") + (f"：{note}" if note else "")


def on_stage_changed(record, *, move, actor=None, now=None, **_extra) -> None:
    """Runs inside move_firm's transaction: what it changes is committed (or rolled back) with the move."""
    if move.to_stage == Stage.POOL:
        try:
            ensure_admission_certificate(record, actor=actor, now=now or move.moved_at)
        except CertificateError:
            # The move stands; the firm page offers 发放证书 for a pool record without a valid certificate.
            log.exception("no 入库证书 issued for firm_track %s", record.id)
    elif move.to_stage == Stage.REMOVED:
        revoke_certificates_of_record(record, actor=actor, now=now or move.moved_at, reason=exit_reason_text(move))


def connect_receivers(_state=None) -> None:
    """Subscribe once per process (blinker keeps one connection per receiver, however many apps register it)."""
    stage_changed.connect(on_stage_changed)
