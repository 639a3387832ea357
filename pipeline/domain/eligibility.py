"""Eligibility engine for both national tracks: 科小 and 高企 results, gaps, and the JSON contract (RULES §5).

The rules live in tech_sme.py, hnte.py, innovation.py and gaps.py; this module is the one entry point. Readings of
RULES.md where it leaves room:
- Ratios are printed with four decimals, truncated, so a miss never prints as a hit; thresholds as written ("0.10").
- innovation_score: pass is true when min ≥ 71, false when max < 71, null (undecided) otherwise; value "min-max".
- registered_1y compares the registration date with the latest date that is 365 calendar days before as_of
  (op "<="; revision 2: a leap year's extra day is not "a year").
- The 高企 period is fixed by the firm's age (Y−3..Y−1, not before the registration year); years of it that the
  profile lacks are listed in missing_years and leave the verdict undetermined (revision 2).
- R&D ÷ sales with no sales, or a share with a zero denominator, scores nothing and fails.
- route is "direct" whenever a direct qualification holds, even if the score would also do.
- Gap amounts count what must be added: where the part is inside the whole (tech staff in employees, R&D in cost
  expense, domestic R&D in R&D, high-tech revenue in total revenue) the addition raises both.
"""

from dataclasses import dataclass
from typing import Any

from pipeline.domain.exact import ratio_str
from pipeline.domain.gaps import Gap, gaps, near_miss, track_gaps
from pipeline.domain.hnte import HnteResult, evaluate_hnte
from pipeline.domain.profile import Profile
from pipeline.domain.tech_sme import TechSmeResult, evaluate_tech_sme

__all__ = ["Evaluation", "Gap", "HnteResult", "TechSmeResult", "assess", "evaluate", "evaluate_hnte",
           "evaluate_tech_sme", "gaps", "near_miss", "track_gaps"]


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
            "shortfall": shortfall, "unit": gap.unit, "near": gap.near}
