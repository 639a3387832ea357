"""Eligibility engine for both national tracks: 科小 and 高企 results, gaps, and the JSON contract (RULES §5)."""

from dataclasses import dataclass
from typing import Any

from pipeline.domain.exact import ratio_str
from pipeline.domain.gaps import Gap, gaps, near_miss
from pipeline.domain.hnte import HnteResult, evaluate_hnte
from pipeline.domain.profile import Profile
from pipeline.domain.tech_sme import TechSmeResult, evaluate_tech_sme

__all__ = ["Evaluation", "Gap", "HnteResult", "TechSmeResult", "assess", "evaluate", "evaluate_hnte",
           "evaluate_tech_sme", "gaps", "near_miss"]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Both tracks' results for one profile."""

    tech_sme: TechSmeResult
    hnte: HnteResult


def assess(profile: Profile) -> Evaluation:
    """Evaluate a profile on both tracks."""
    return Evaluation(evaluate_tech_sme(profile), evaluate_hnte(profile))


def evaluate(profile: Profile) -> dict[str, Any]:
    """Evaluate a profile and return the JSON-ready result of RULES §5, with gaps."""
    results = assess(profile)
    return {
        "tech_sme": tech_sme_dict(results.tech_sme),
        "hnte": hnte_dict(results.hnte),
        "gaps": [gap_dict(gap) for gap in gaps(profile, results)],
    }


def tech_sme_dict(r: TechSmeResult) -> dict[str, Any]:
    """Return the JSON shape of a 科小 result."""
    return {
        "year": r.year, "data_year": r.data_year, "eligible": r.eligible, "route": r.route, "score": r.score,
        "points": {"tech_staff": r.points.tech_staff, "rd": r.points.rd, "ip": r.points.ip},
        "failed": list(r.failed),
        "ratios": {"tech_staff": ratio_str(r.tech_staff_ratio), "rd_sales": ratio_str(r.rd_sales_ratio),
                   "rd_cost": ratio_str(r.rd_cost_ratio)},
    }


def hnte_dict(r: HnteResult) -> dict[str, Any]:
    """Return the JSON shape of a 高企 result."""
    score = r.innovation
    return {
        "verdict": r.verdict, "failed": list(r.failed),
        "conditions": {c.id: {"pass": c.passed, "value": c.value, "threshold": c.threshold, "op": c.op}
                       for c in r.conditions.values()},
        "innovation": {
            "min": score.min, "max": score.max,
            "parts": {"ip": list(score.ip), "conversion": list(score.conversion),
                      "rd_management": list(score.rd_management), "growth": list(score.growth)},
            "growth_rates": {"net_assets": ratio_str(score.net_assets_growth), "sales": ratio_str(score.sales_growth)},
        },
        "period": list(r.period), "missing_years": list(r.missing_years),
    }


def gap_dict(gap: Gap) -> dict[str, Any]:
    """Return the JSON shape of a gap (shortfall as a decimal string)."""
    shortfall = None if gap.shortfall is None else str(gap.shortfall)
    return {"track": gap.track, "condition": gap.condition, "message": gap.message,
            "shortfall": shortfall, "unit": gap.unit}
