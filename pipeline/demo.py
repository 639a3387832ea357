"""A believable demo county (Xinchang): towns, industries, fictitious firms and a user for every role."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, update

from pipeline.auth.models import Role, User
from pipeline.auth.services import create_user
from pipeline.domain.credit_code import make_credit_code
from pipeline.extensions import db
from pipeline.firms.models import Firm, Industry, Town

TOWNS = ["南明街道", "羽林街道", "七星街道", "沃洲镇", "儒岙镇", "回山镇", "大市聚镇", "澄潭镇", "梅渚镇", "小将镇", "镜岭镇", "东茗乡"]
INDUSTRIES = ["轴承", "纺机", "生命健康", "汽车电子", "数字经济", "智能装备", "茶叶"]
# Demo only: printed by `flask seed-demo` and `make run`; production data never uses these.
DEMO_USERS = [
    ("admin", Role.ADMIN, "Demo-Admin-2026", "系统管理员", None),
    ("officer", Role.OFFICER, "Demo-Officer-2026", "王科员", None),
    ("officer2", Role.OFFICER, "Demo-Officer2-2026", "李科员（南明、羽林）", None),
    ("leader", Role.LEADER, "Demo-Leader-2026", "陈局长", None),
    ("firm", Role.FIRM, "Demo-Firm-2026", "企业联系人", 0),
]
_NAME_HEADS = ["新昌", "天姥", "沃洲", "鼓山", "南岩", "大佛", "儒岙", "回山", "澄潭", "镜岭", "十九峰", "穿岩"]
_NAME_CORES = ["喆", "垚", "犇", "燊", "堃", "昇", "鑫", "珺", "玥", "恒", "博", "精", "瑞", "泰", "宏", "华", "科", "达", "䶮", "㮾"]
_NAME_TAILS = {
    "轴承": ["精密轴承", "轴承制造", "滚动体科技"],
    "纺机": ["纺织机械", "智能纺机", "织造装备"],
    "生命健康": ["生物医药", "医疗器械", "制药"],
    "汽车电子": ["汽车电子", "车联科技", "电控系统"],
    "数字经济": ["数字科技", "软件", "信息技术"],
    "智能装备": ["智能装备", "自动化设备", "机器人"],
    "茶叶": ["茶业", "茶叶机械", "生态农业"],
}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


@dataclass(frozen=True)
class SeedResult:
    firms_created: int
    users_created: list[tuple[str, str, str]]  # (username, role, password)
    moves_created: int = 0


def ensure_named(model, names: list[str]) -> dict[str, object]:
    existing = {row.name: row for row in db.session.scalars(select(model))}
    for order, name in enumerate(names):
        if name not in existing:
            existing[name] = model(name=name, sort_order=order)
            db.session.add(existing[name])
    db.session.flush()
    return existing


def demo_credit_code(index: int) -> str:
    """A valid, fictitious code: 91 (enterprise) + 330624 (Xinchang) + a deterministic 9-character body."""
    return make_credit_code(f"91330624{index:09d}")


# Characters that spell the bulk county's serial numbers (in no head, core or tail, so that names stay distinct).
# Real names carry no digits: digits in every name would make each digit piece of the search index common.
_SERIAL_CHARS = "安邦诚丰和嘉康隆茂明宁启荣盛顺通祥兴旭耀益源远卓"
_SERIAL_WIDTH = 4  # 24 ** 4 = 331,776 names


def _serial_syllables(serial: int) -> str:
    chars = []
    for _ in range(_SERIAL_WIDTH):
        serial, digit = divmod(serial, len(_SERIAL_CHARS))
        chars.append(_SERIAL_CHARS[digit])
    return "".join(reversed(chars))


def demo_firm_name(rng: random.Random, industry: str, serial: int | None = None) -> str:
    """A name like 天姥犇昇精密轴承有限公司; a serial (the bulk county) keeps 100,000 names apart."""
    core = f"{rng.choice(_NAME_CORES)}{rng.choice(_NAME_CORES)}"
    if serial is not None:
        core += _serial_syllables(serial)
    return f"{rng.choice(_NAME_HEADS)}{core}{rng.choice(_NAME_TAILS[industry])}有限公司"


def demo_firm(index: int, rng: random.Random, towns: dict, industries: dict) -> Firm:
    industry = rng.choice(INDUSTRIES)
    name = demo_firm_name(rng, industry)
    contact = rng.choice(_SURNAMES) + rng.choice("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞")
    return Firm(
        credit_code=demo_credit_code(index), name=name, town=towns[rng.choice(TOWNS)], industry=industries[industry],
        registered_on=date(2008, 1, 1) + timedelta(days=rng.randrange(0, 17 * 365)),
        address=f"浙江省绍兴市新昌县{rng.choice(TOWNS)}{rng.randrange(1, 300)}号",
        legal_rep=rng.choice(_SURNAMES) + rng.choice("建国志强海峰国庆晓东永明"), contact_name=contact,
        contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}", contact_email=f"contact{index}@example.com",
    )


def seed_demo(firm_count: int = 300, *, password_min_length: int = 10) -> SeedResult:
    """Create what is missing of the demo county; running it again adds nothing."""
    towns = ensure_named(Town, TOWNS)
    industries = ensure_named(Industry, INDUSTRIES)
    rng = random.Random(2022)
    existing = set(db.session.scalars(select(Firm.credit_code)))
    created = 0
    for index in range(1, firm_count + 1):
        firm = demo_firm(index, rng, towns, industries)  # always drawn, so firm N is the same on every run
        if firm.credit_code not in existing:
            db.session.add(firm)
            created += 1
    db.session.flush()
    users = ensure_demo_users(towns, password_min_length)
    assign_officers()
    moves = _seed_funnel_history(firm_count)
    _seed_figures()  # after the history: a firm's figures fit its place in the funnel
    _seed_targets()
    _seed_annual_reports()
    _seed_batch()
    _seed_policies()
    return SeedResult(created, users, moves)


def ensure_demo_users(towns: dict, min_length: int) -> list[tuple[str, str, str]]:
    first_firm = db.session.scalar(select(Firm).order_by(Firm.id).limit(1))
    made = []
    for username, role, password, display, firm_index in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        firm_code = first_firm.credit_code if firm_index is not None and first_firm else None
        user = create_user(username, role, password, firm_code=firm_code, display_name=display,
                           email=f"{username}@example.com", min_length=min_length)
        if username == "officer2":
            user.towns = [towns["南明街道"], towns["羽林街道"]]
        made.append((username, role.value, password))
    db.session.flush()
    return made


def assign_officers() -> None:
    """Give each firm without a responsible officer one of the demo officers, by town (two statements, also for the
    100,000 firms of the bulk county)."""
    officers = {u.username: u for u in db.session.scalars(select(User).where(User.role == Role.OFFICER))}
    if not officers:
        return
    unassigned = Firm.officer_id.is_(None)
    if limited := officers.get("officer2"):
        db.session.execute(update(Firm).where(unassigned, Firm.town_id.in_([t.id for t in limited.towns]))
                           .values(officer_id=limited.id))
    default = officers.get("officer") or next(iter(officers.values()))
    db.session.execute(update(Firm).where(unassigned).values(officer_id=default.id))  # session objects follow


def _seed_figures() -> None:
    """Three fiscal years of figures for every demo firm that has none, then the 高企 firms' IP items (see
    pipeline/indicators/demo.py)."""
    from pipeline.db import utcnow
    from pipeline.i18n import local_today
    from pipeline.indicators.demo import seed_figures, seed_ip_items

    seed_figures(local_today(), utcnow())
    seed_ip_items(local_today(), utcnow())


# The 2022 work plan of the county (../shared/seed/xinchang-2022-work-plan.txt): 新增国家高新技术企业 25 家以上、
# 省级科技型中小企业 80 家以上、市级以上企业研发机构 15 家以上; its 2021 figures (申报高企 93 家、新增省科小 96 家)
# are the baselines of "双倍增".
DEMO_TARGETS = {"hnte": 25, "prov_sme": 80, "rd_institution": 15}
DEMO_BASELINES = {"hnte": (93, "2021年申报高企93家"), "prov_sme": (96, "2021年新增省科小96家")}


def _seed_targets() -> None:
    """This year's county-wide targets and baselines, unless the admin has set some."""
    from pipeline.dashboard.models import AnnualBaseline, AnnualTarget
    from pipeline.dashboard.services import set_annual_baselines, set_annual_targets
    from pipeline.funnel.models import Track
    from pipeline.i18n import local_today

    year = local_today().year
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
    tracks = {track.code: track.id for track in db.session.scalars(select(Track))}
    if admin is None or db.session.scalar(select(AnnualTarget.id).where(AnnualTarget.year == year).limit(1)) \
            or db.session.scalar(select(AnnualBaseline.id).where(AnnualBaseline.year == year).limit(1)):
        return
    set_annual_targets(year, {(tracks[code], None): n for code, n in DEMO_TARGETS.items() if code in tracks},
                       actor=admin)
    set_annual_baselines(year, {tracks[code]: value for code, value in DEMO_BASELINES.items() if code in tracks},
                         actor=admin)


def _seed_annual_reports() -> None:
    """Most certified 高企 have filed each annual report they owed (31 May); a few have not, some two years running."""
    from pipeline.db import utcnow
    from pipeline.domain.deadlines import annual_report_due
    from pipeline.domain.stages import HOLDING
    from pipeline.funnel.models import FirmTrack, Track
    from pipeline.i18n import local_today
    from pipeline.reminders.models import AnnualReportFiling

    if db.session.scalar(select(AnnualReportFiling.id).limit(1)):
        return
    today, now = local_today(), utcnow()
    records = db.session.execute(select(FirmTrack.firm_id, FirmTrack.certified_on).join(Track).where(
        Track.code == "hnte", FirmTrack.stage.in_(list(HOLDING)), FirmTrack.certified_on.is_not(None)))
    for firm_id, certified_on in records:
        rng = random.Random(firm_id * 31)
        lazy = rng.random() < 0.08  # misses every report
        for year in range(certified_on.year + 1, today.year + 1):
            if annual_report_due(year) < today and not lazy and rng.random() < 0.95:
                db.session.add(AnnualReportFiling(firm_id=firm_id, year=year, marked_at=now))
    db.session.flush()


def _seed_batch() -> None:
    """One 省科小 batch the county recommended and the province has published (公示), awaiting its 认定."""
    from datetime import timedelta

    from pipeline.db import utcnow
    from pipeline.domain.stages import Stage
    from pipeline.funnel.models import FirmTrack, RecognitionBatch, Track
    from pipeline.funnel.recognition import create_batch, publicize_batch
    from pipeline.i18n import local_today

    track = db.session.scalar(select(Track).where(Track.code == "prov_sme"))
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
    if track is None or admin is None or db.session.scalar(select(RecognitionBatch.id).limit(1)):
        return
    records = list(db.session.scalars(select(FirmTrack).where(
        FirmTrack.track_id == track.id, FirmTrack.stage == Stage.CULTIVATING).order_by(FirmTrack.id).limit(8)))
    if records:
        today = local_today()
        batch = create_batch(track, f"{today.year}年第三批", records, actor=admin, now=utcnow())
        publicize_batch(batch, on=today - timedelta(days=5), today=today)


def _seed_funnel_history(firm_count: int) -> int:
    """Spread the demo firms over tracks and stages with two years of history (only firms that have none yet)."""
    from pipeline.db import utcnow
    from pipeline.funnel.demo import seed_history
    from pipeline.i18n import local_zone

    by_code = {firm.credit_code: firm for firm in db.session.scalars(select(Firm))}
    firms = {index: by_code[code] for index in range(1, firm_count + 1)
             if (code := demo_credit_code(index)) in by_code}
    return seed_history(firms, now=utcnow(), zone=local_zone())


def _seed_policies() -> None:
    """The county's 惠企政策, matched to the demo firms, with a ledger (pipeline/policies/demo.py)."""
    from pipeline.db import utcnow
    from pipeline.policies.demo import seed_policies

    seed_policies(utcnow())


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(User.id)))
