"""Follow the firm: when its stage, figures or facts change, match it again against every live policy, inside the
transaction of the change (a rolled-back move leaves no match and no proposed reward behind)."""

from __future__ import annotations

from pipeline.db import utcnow
from pipeline.policies.matching import rematch_firm, rematch_firms
from pipeline.signals import figures_changed, many_figures_changed, stage_changed


def on_stage_changed(record, *, move, now=None, **_extra) -> None:
    rematch_firm(record.firm_id, now=now or move.moved_at)


def on_figures_changed(firm, *, now=None, **_extra) -> None:
    rematch_firm(firm.id, now=now or utcnow())


def on_many_figures_changed(_sender, *, firm_ids, now, **_extra) -> None:
    rematch_firms(firm_ids, now=now)


def connect_receivers(_state=None) -> None:
    """Subscribe once per process (blinker keeps one connection per receiver)."""
    stage_changed.connect(on_stage_changed)
    figures_changed.connect(on_figures_changed)
    many_figures_changed.connect(on_many_figures_changed)
