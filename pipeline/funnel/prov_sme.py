"""省科小 screening: firms not on the 省级科技型中小企业 track whose confirmed figures meet its own conditions
(pipeline.domain.prov_sme), and the near misses, each with its gap list. The county screens and recommends these
firms; the city or province recognises them in a batch (公示, then 认定).

The figures and profiles come from the engine's bulk assessment (one evaluation per request, nothing cached).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.domain.gaps import near_miss
from pipeline.domain.prov_sme import evaluate_prov_sme, prov_sme_gaps
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import Track
from pipeline.i18n import translate_msg
from pipeline.indicators.assessment import assess_firms
from pipeline.indicators.screening import candidate_ids

SHOW_LIMIT = 300


@dataclass(frozen=True)
class ProvSmeCandidate:
    firm_id: int
    name: str
    credit_code: str
    town: str
    verdict: str  # pass | possible | fail (a near miss)
    data_year: int
    gaps: tuple[str, ...]  # in the UI language


@dataclass(frozen=True)
class ProvSmeScreening:
    track: Track
    qualified: tuple[ProvSmeCandidate, ...]  # pass, then possible (IP to be checked)
    near_misses: tuple[ProvSmeCandidate, ...]  # one condition short, by a small margin
    evaluated: int


def screen_prov_sme(track: Track, for_user: User, today: date, limit: int = SHOW_LIMIT) -> ProvSmeScreening:
    """Rank the firms that meet the 省科小 conditions and the near misses (at most `limit` of each)."""
    judged = []
    for a in assess_firms(candidate_ids(track, for_user, today), today).values():
        if a.profile is not None:
            result = evaluate_prov_sme(a.profile)
            judged.append((a, result, prov_sme_gaps(a.profile, result)))
    qualified = sorted((j for j in judged if j[1].verdict != "fail"), key=lambda j: (j[1].verdict, j[0].firm_id))
    near = [j for j in judged if j[1].verdict == "fail" and near_miss(j[2])]
    shown = qualified[:limit] + near[:limit]
    names = _names([a.firm_id for a, _r, _g in shown])
    rows = [ProvSmeCandidate(a.firm_id, *names[a.firm_id], result.verdict, a.profile.data_year,
                             tuple(translate_msg(g.text) for g in gaps)) for a, result, gaps in shown]
    return ProvSmeScreening(track, tuple(rows[:len(qualified[:limit])]), tuple(rows[len(qualified[:limit]):]),
                            len(judged))


def _names(ids: list[int]) -> dict[int, tuple[str, str, str]]:
    if not ids:
        return {}
    rows = db.session.execute(select(Firm.id, Firm.name, Firm.credit_code, Town.name).join(Town, Town.id == Firm.town_id)
                              .where(Firm.id.in_(ids)))
    return {firm_id: (name, code, town) for firm_id, name, code, town in rows}
