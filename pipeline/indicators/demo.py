"""Believable figures for the demo county: three fiscal years per firm, facts, and a few pending submissions.

Deterministic per firm (seeded by its credit code) and idempotent: firms that already have figures are skipped.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import insert, select

from pipeline.domain.hnte import DOMAINS
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack
from pipeline.indicators.models import FirmFacts, FirmYear, Origin, Source, Status

PROFILES = ("strong", "strong", "near", "near", "middling", "small", "large")


def _money(value: float) -> Decimal:
    return Decimal(str(round(max(value, 0), 2)))


def demo_year(rng: random.Random, kind: str, sales: float, growth: float) -> dict:
    employees = {"small": rng.randint(8, 40), "large": rng.randint(450, 900)}.get(kind, rng.randint(40, 300))
    share = {"strong": rng.uniform(.18, .4), "near": rng.uniform(.09, .16)}.get(kind, rng.uniform(.03, .2))
    rd_share = {"strong": rng.uniform(.045, .08), "near": rng.uniform(.028, .042)}.get(kind, rng.uniform(.005, .04))
    sales *= growth
    total_revenue = sales * rng.uniform(1.0, 1.08)
    rd = _money(sales * rd_share)
    return {
        "employees": employees, "tech_staff": min(employees, int(employees * share)), "sales": _money(sales),
        "cost_expense": _money(sales * rng.uniform(.75, .95)), "rd": rd, "rd_domestic": rd,
        "total_assets": _money(sales * rng.uniform(.8, 1.6)), "net_assets": _money(sales * rng.uniform(.3, .7)),
        "total_revenue": _money(total_revenue),
        "high_tech_revenue": _money(total_revenue * (rng.uniform(.62, .9) if kind == "strong" else rng.uniform(.3, .75))),
    }


def demo_firm_figures(rng: random.Random, firm_id: int, kind: str, today: date, now: datetime) -> tuple[list[dict], dict]:
    """The rows of one firm: its last three fiscal years (before the local `today`'s year) and its facts."""
    sales = {"small": rng.uniform(300, 1500), "large": rng.uniform(15000, 40000)}.get(kind, rng.uniform(1500, 12000))
    stamp = demo_stamp(now)
    years = [{"firm_id": firm_id, "fiscal_year": today.year - back, **stamp,
              **demo_year(rng, kind, sales, rng.uniform(1.0, 1.35))} for back in (3, 2, 1)]
    if kind in ("strong", "near") and rng.random() < .12:
        del years[1]  # a firm that never filed its middle year: its 高企 verdict waits for it (待定)
    if kind == "middling" and rng.random() < .2:
        years[-1]["net_assets"] = -_money(sales * rng.uniform(.05, .2))  # a loss-making year: still evaluated
    return years, {"firm_id": firm_id, **stamp, **demo_facts(rng, kind)}


def seed_figures(today: date, now: datetime) -> int:
    """Give every firm without figures three fiscal years and its facts; return how many firms got figures."""
    have = set(db.session.scalars(select(FirmYear.firm_id).distinct()))
    firms = [f for f in db.session.scalars(select(Firm).order_by(Firm.id)) if f.id not in have]
    stages = _furthest_stages()
    years, facts = [], []
    for firm in firms:
        rng = random.Random(firm.credit_code)
        firm_years, firm_facts = demo_firm_figures(rng, firm.id, demo_kind(rng, stages.get(firm.id)), today, now)
        years.extend(firm_years)
        facts.append(firm_facts)
    if years:
        db.session.execute(insert(FirmYear), years)
        db.session.execute(insert(FirmFacts), facts)
    db.session.flush()
    return len(firms)


def _furthest_stages() -> dict[int, set[str]]:
    """The stages each firm holds on any track (demo history, when it was seeded first)."""
    stages: dict[int, set[str]] = {}
    for firm_id, stage in db.session.execute(select(FirmTrack.firm_id, FirmTrack.stage)):
        stages.setdefault(firm_id, set()).add(str(stage))
    return stages


def demo_kind(rng: random.Random, stages: set[str] | None) -> str:
    """Figures that fit the firm's place in the funnel: certified firms are strong, cultivated ones close."""
    if stages and "certified" in stages:
        return "strong"
    if stages and stages & {"pool", "cultivating"}:
        return rng.choice(("strong", "near", "near"))
    return rng.choice(PROFILES)


def demo_stamp(now: datetime) -> dict:
    return {"source": Source.OFFICIAL.value, "status": Status.CONFIRMED.value, "origin": Origin.IMPORT.value,
            "updated_at": now, "review_note": ""}


def demo_facts(rng: random.Random, kind: str) -> dict:
    strong = kind == "strong"
    return {
        "ip_class_i": rng.choice([0, 1, 1, 2]) if strong else rng.choice([0, 0, 0, 1]),
        "ip_class_ii": rng.randint(2, 12) if strong else rng.randint(0, 4),
        "ip_acquired_only": not strong and rng.random() < .05,
        "hnte_domain": rng.choice(DOMAINS) if strong or rng.random() < .7 else "其他",
        # Some weaker firms never reported their conversions: unknown, which the engine keeps as a range.
        "conversions_3y": rng.randint(6, 18) if strong else (None if rng.random() < .15 else rng.randint(0, 8)),
        "valid_hnte": False, "national_award_top3": False, "provincial_rd_institution": rng.random() < .02,
        "led_standard": rng.random() < .01, "restricted_industry": False, "major_incident": rng.random() < .02,
        "dishonest_list": False, "deemed_taxation": not strong and rng.random() < .03,
        "excluded_industry": False, "expert_advancement": None, "expert_core_support": None,
        "expert_acquisition": None, "expert_standards": None, "expert_rd_management": None,
    }
