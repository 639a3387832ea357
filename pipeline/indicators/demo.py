"""Believable figures for the demo county: three fiscal years per firm, facts, and a few pending submissions.

Deterministic per firm (seeded by its credit code) and idempotent: firms that already have figures are skipped.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from pipeline.domain.hnte import DOMAINS
from pipeline.domain.ip import IpKind, ip_class
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, StageMove, Track
from pipeline.indicators.models import FirmFacts, FirmYear, IpItem, IpItemUse, Origin, Source, Status

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


_IP_TITLES = ("一种高精度轴承保持架", "一种纺机用张力自动控制装置", "一种汽车电子控制器散热结构", "一种智能装备视觉定位机构",
              "一种茶叶杀青机温控装置", "一种医疗器械密封组件", "一种数控机床快换夹具", "一种低噪声滚动体检测装置")
_SOFTWARE_TITLES = ("设备远程监控系统V1.0", "生产执行管理软件V2.0", "质量追溯管理平台V1.0", "能耗监测分析系统V1.0")
_KIND_CODES = {IpKind.INVENTION: "1", IpKind.UTILITY_MODEL: "2", IpKind.DESIGN: "3"}


def seed_ip_items(today: date, now: datetime) -> int:
    """IP items for the demo firms on the 高企 track, unless some exist: a recognised firm's application used some of
    them (Class II used once cannot count again), and a few firms have spent nearly all their Class II by now."""
    if db.session.scalar(select(IpItem.id).limit(1)):
        return 0
    recognitions: dict[int, list[StageMove]] = {}
    for move in db.session.scalars(select(StageMove).join(Track, Track.id == StageMove.track_id).where(
            Track.code == "hnte", StageMove.to_stage == Stage.CERTIFIED).order_by(StageMove.moved_at)):
        recognitions.setdefault(move.firm_id, []).append(move)
    cultivated = set(db.session.scalars(select(FirmTrack.firm_id).join(Track).where(
        Track.code == "hnte", FirmTrack.stage.in_([Stage.CULTIVATING, Stage.POOL]))))
    showcase = db.session.scalar(select(Firm.id).order_by(Firm.id).limit(1))  # the demo firm user's firm
    firms = db.session.scalars(select(Firm).where(Firm.id.in_(set(recognitions) | cultivated | {showcase}))
                               .order_by(Firm.id))
    count = 0
    for firm in firms:
        rng = random.Random(f"ip-{firm.credit_code}")
        moves = recognitions.get(firm.id, [])
        if not moves and firm.id != showcase and rng.random() < 0.5:
            continue  # half the cultivated firms have only the counts of their facts
        items = _demo_items(rng, firm, moves, today, now)
        db.session.add_all(items)
        db.session.flush()
        _demo_uses(rng, items, moves, now)
        facts = db.session.scalar(select(FirmFacts).where(FirmFacts.firm_id == firm.id,
                                                         FirmFacts.source == Source.OFFICIAL.value))
        if facts is not None:  # the counts the bureau had before the items: the same numbers
            facts.ip_class_i = sum(1 for i in items if ip_class(i.kind) == 1)
            facts.ip_class_ii = len(items) - facts.ip_class_i
        count += len(items)
    db.session.flush()
    return count


def _demo_items(rng: random.Random, firm: Firm, moves: list[StageMove], today: date, now: datetime) -> list[IpItem]:
    # Most items predate the first recognition (they were in its application); a few came later.
    start = max(firm.registered_on or date(2012, 1, 1), today - timedelta(days=9 * 365))
    first = moves[0].issued_on if moves else today
    spent_firm = bool(moves) and rng.random() < 0.35  # applied with nearly everything it had: little left now
    kinds = [IpKind.INVENTION] * rng.choice([0, 0, 1] if not spent_firm else [0])
    kinds += [rng.choice([IpKind.UTILITY_MODEL, IpKind.UTILITY_MODEL, IpKind.SOFTWARE, IpKind.DESIGN])
              for _ in range(rng.randint(4, 8))]
    later = 1 if spent_firm else rng.randint(1, 3)
    items = []
    for index, kind in enumerate(kinds):
        low, high = (start, first - timedelta(days=60)) if index < len(kinds) - later else (first, today)
        granted = low + timedelta(days=rng.randint(0, max(0, (high - low).days)))
        items.append(IpItem(firm_id=firm.id, kind=kind.value, number=_demo_number(rng, kind, granted),
                            title=rng.choice(_SOFTWARE_TITLES if kind is IpKind.SOFTWARE else _IP_TITLES),
                            granted_on=granted, acquired=rng.random() < 0.08, updated_at=now))
    return items


def _demo_number(rng: random.Random, kind: IpKind, granted: date) -> str:
    filed = granted.year - (2 if kind is IpKind.INVENTION else 1)
    if kind is IpKind.SOFTWARE:
        return f"{granted.year}SR{rng.randint(0, 9999999):07d}"
    return f"ZL{filed}{_KIND_CODES[kind]}{rng.randint(0, 9999999):07d}.{rng.randint(0, 9)}"


def _demo_uses(rng: random.Random, items: list[IpItem], moves: list[StageMove], now: datetime) -> None:
    """Each recognition used the Class I items and the unused Class II granted before it (most of them)."""
    for move in moves:
        usable = [i for i in items if i.granted_on <= move.issued_on and (ip_class(i.kind) == 1 or not i.uses)]
        for item in usable:
            if ip_class(item.kind) == 1 or rng.random() < 0.85:
                item.uses.append(IpItemUse(recognition=move, recorded_at=now))
