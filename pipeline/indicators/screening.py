"""Automatic screening (遴选): firms not yet on a track whose latest figures qualify them, and the near misses.

One bulk evaluation per request (assess_firms: a fixed number of queries), nothing cached: the list is always what
the confirmed figures say today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select

from pipeline.auth.models import User
from pipeline.auth.permissions import visible_town_ids
from pipeline.domain.eligibility import near_miss
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import FirmTrack, Track
from pipeline.indicators.assessment import EVALUATED_TRACKS, FALLBACK_YEARS, FirmAssessment, assess_firms
from pipeline.indicators.funnel_link import RecordChanged, TransitionRefused, move_firm, refusal_text
from pipeline.indicators.models import FirmYear, Source
from pipeline.indicators.presenters import NearRow, gap_texts, hnte_verdict, near_row

SCREENABLE = EVALUATED_TRACKS
SHOW_LIMIT = 300


@dataclass
class Candidate:
    """One firm on a screening list."""

    firm_id: int
    name: str
    credit_code: str
    town: str
    assessment: FirmAssessment
    ladder: bool = False  # certified 科小 firm, the next rung is 高企
    gaps: list[str] = field(default_factory=list)
    near: NearRow | None = None  # the one condition a near miss lacks, in one line
    missing: str = ""  # an undetermined verdict: which years' figures are missing


@dataclass
class Screening:
    track: Track
    qualified: list[Candidate]
    near_misses: list[Candidate]
    qualified_total: int
    near_total: int
    evaluated: int
    without_figures: int
    undetermined: list[Candidate] = field(default_factory=list)
    undetermined_total: int = 0


def candidate_ids(track: Track, for_user: User, today: date, *, with_figures: bool = True):
    """SELECT of the ids of visible firms not on the track (or removed from it), with recent confirmed figures."""
    on_track = exists(select(FirmTrack.id).where(FirmTrack.firm_id == Firm.id, FirmTrack.track_id == track.id,
                                                 FirmTrack.stage != Stage.REMOVED))
    stmt = select(Firm.id).where(~on_track)
    towns = visible_town_ids(for_user)
    if towns is not None:
        stmt = stmt.where(Firm.town_id.in_(towns))
    recent = exists(select(FirmYear.id).where(
        FirmYear.firm_id == Firm.id, FirmYear.source == Source.OFFICIAL.value,
        FirmYear.fiscal_year.between(today.year - 1 - FALLBACK_YEARS, today.year - 1)))
    return stmt.where(recent if with_figures else ~recent)


def screen_track(track: Track, for_user: User, today: date, limit: int = SHOW_LIMIT) -> Screening:
    """Rank the qualified firms and the near misses of one track (at most `limit` of each)."""
    ids = candidate_ids(track, for_user, today)
    assessments = [a for a in assess_firms(ids, today).values() if a.ok]
    qualified, near, undetermined = _split(track.code, assessments)
    shown = qualified[:limit] + near[:limit] + undetermined[:limit]
    candidates = _candidates(track, shown)
    without = db.session.scalar(select(func.count()).select_from(
        candidate_ids(track, for_user, today, with_figures=False).subquery()))
    return Screening(track, [candidates[a.firm_id] for a in qualified[:limit]],
                     [candidates[a.firm_id] for a in near[:limit]], len(qualified), len(near), len(assessments),
                     without, [candidates[a.firm_id] for a in undetermined[:limit]], len(undetermined))


def _split(code: str, assessments: list[FirmAssessment]) -> tuple[list, list, list]:
    """Qualified firms, near misses (one condition missed by a small margin) and, for 高企, the undetermined."""
    # Gap sentences (with the score plans) are built only for firms that fail exactly one condition.
    one_short = [a for a in assessments if len(getattr(a.evaluation, code).failed) == 1]
    near = [a for a in one_short if near_miss(a.gaps_for(code))]
    if code == "tech_sme":
        qualified = [a for a in assessments if a.evaluation.tech_sme.eligible]
        undetermined, key = [], _tech_sme_key
    else:
        qualified = [a for a in assessments if a.evaluation.hnte.verdict in ("pass", "possible")]
        undetermined = [a for a in assessments if a.evaluation.hnte.verdict == "undetermined"]
        key = _hnte_key
    return sorted(qualified, key=key), sorted(near, key=key), sorted(undetermined, key=key)


def _tech_sme_key(a: FirmAssessment):
    r = a.evaluation.tech_sme
    return (-r.score, r.route != "direct", a.firm_id)


def _hnte_key(a: FirmAssessment):
    r = a.evaluation.hnte
    return (r.verdict != "pass", -r.innovation.min, -r.innovation.max, a.firm_id)


def _candidates(track: Track, shown: list[FirmAssessment]) -> dict[int, Candidate]:
    if not shown:
        return {}
    ids = [a.firm_id for a in shown]
    rows = db.session.execute(select(Firm.id, Firm.name, Firm.credit_code, Town.name).join(Town)
                              .where(Firm.id.in_(ids))).all()
    ladder = _certified_tech_sme(ids) if track.code == "hnte" else set()
    by_id = {a.firm_id: a for a in shown}
    return {fid: _candidate(track.code, by_id[fid], fid, name, code, town, ladder=fid in ladder)
            for fid, name, code, town in rows}


def _candidate(track_code: str, a: FirmAssessment, *row, ladder: bool) -> Candidate:
    gaps = a.gaps_for(track_code)
    near = near_row(a, gaps[0]) if near_miss(gaps) else None
    missing = hnte_verdict(a).missing if track_code == "hnte" else ""
    return Candidate(*row, a, ladder, gap_texts(a, track_code), near, missing)


def _certified_tech_sme(ids: list[int]) -> set[int]:
    """Firms holding a 科小 registration: the ladder's next rung is 高企."""
    return set(db.session.scalars(select(FirmTrack.firm_id).join(Track).where(
        Track.code == "tech_sme", FirmTrack.stage == Stage.CERTIFIED, FirmTrack.firm_id.in_(ids))))


@dataclass
class EnterResult:
    moved: list[Firm] = field(default_factory=list)
    refused: list[tuple[Firm, str]] = field(default_factory=list)


def enter_screening(track: Track, firms: list[Firm], *, actor: User, now) -> EnterResult:
    """Put firms into 遴选 on a track through the funnel's move_firm; a refused firm is listed with the reason."""
    result = EnterResult()
    for firm in firms:
        try:
            with db.session.begin_nested():
                move_firm((firm, track), Stage.SCREENING, actor=actor, now=now, note="自动遴选")
        except (TransitionRefused, RecordChanged) as refusal:
            result.refused.append((firm, refusal_text(refusal)))
        else:
            result.moved.append(firm)
    return result
