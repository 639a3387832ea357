"""Demo history: firms spread over the tracks and stages with two years of believable moves and services.

Every move goes through move_firm() (so the history rows, pool numbers and signals are real), in date order
across all firms, so that pool numbers of a year follow the calendar.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from pipeline.auth.models import Role, User
from pipeline.domain.stages import ExitReason, Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm, ServiceKind, ServiceRecord
from pipeline.funnel.models import FirmTrack, Track
from pipeline.funnel.services import move_firm, record_service

SERVICE_NOTES = {
    ServiceKind.VISIT: ["上门走访，了解研发项目进展", "走访企业负责人，梳理知识产权情况", "实地查看研发场地与设备"],
    ServiceKind.COACHING: ["辅导研发费用归集与辅助账", "辅导高企申报材料准备", "辅导科技型中小企业评价填报"],
    ServiceKind.TRAINING: ["参加县科技局组织的高企申报培训", "参加研发费用加计扣除政策培训"],
    ServiceKind.POLICY: ["宣讲科技创新券与研发补助政策", "宣讲科技型中小企业评价政策"],
}
PAUSE_REASONS = ["企业正在进行股权调整，暂缓培育", "企业搬迁新厂区，待搬迁完成后继续", "主要技术人员变动，企业申请暂缓"]
EXIT_NOTES = {ExitReason.NO_LONGER_ELIGIBLE: "研发投入连续两年不足", ExitReason.WITHDRAWN: "企业书面表示暂不申报",
              ExitReason.MOVED_AWAY: "企业迁往外县", ExitReason.DEREGISTERED: "企业已注销"}


@dataclass(order=True)
class Event:
    on: date
    order: int
    firm_index: int = field(compare=False)
    track: str | None = field(compare=False)  # None: a service record
    to: Stage | None = field(compare=False, default=None)
    details: dict = field(compare=False, default_factory=dict)
    admin: bool = field(compare=False, default=False)


class Planner:
    """Plan one firm's history as dated events, never later than today."""

    def __init__(self, firm_index: int, today: date):
        self.rng, self.today, self.firm_index = random.Random(firm_index * 7919), today, firm_index
        self.showcase = firm_index == 1  # the demo firm user's firm: registered this year, climbing 高企
        self.events: list[Event] = []

    def add(self, on: date, track: str | None, to: Stage | None = None, **details) -> bool:
        if on > self.today:
            return False
        admin = details.pop("admin", False)
        self.events.append(Event(on, len(self.events), self.firm_index, track, to, details, admin))
        return True

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def tech_sme(self, start: date) -> None:
        """科小: screened, pooled, cultivated, registered each summer (valid to 31 Dec), expired, again."""
        if not self._climb(start, "tech_sme"):
            return
        day = self.events[-1].on
        for _round in range(3):
            year = day.year if day <= date(day.year, 8, 20) else day.year + 1
            evaluated = max(date(year, 6, 15) + self.days(0, 80), day + self.days(10, 30))
            if self.rng.random() < 0.12 and not self.showcase:
                if not self.add(evaluated, "tech_sme", Stage.FAILED, note="评价未通过：研发费用占比不足") \
                        or self.rng.random() < 0.3:
                    return
                day = evaluated + self.days(20, 60)
                if not self.add(day, "tech_sme", Stage.CULTIVATING):
                    return
                continue
            number = f"{year}3306240{self.rng.randint(0, 99999):05d}"
            if not self.add(evaluated, "tech_sme", Stage.CERTIFIED, certificate_number=number,
                            issued_on=evaluated - self.days(0, 5)):
                return
            day = date(year + 1, 1, 1) + self.days(0, 12)
            if not self.add(day, "tech_sme", Stage.EXPIRED, note="登记编号当年有效，已到期"):
                return
            day += self.days(10, 40)
            if (self.rng.random() < 0.15 and not self.showcase) or not self.add(day, "tech_sme", Stage.CULTIVATING):
                return
        self._maybe_pause_or_exit("tech_sme")

    def hnte(self, start: date, *, certified_before: bool) -> None:
        """高企: a firm certified before the system started (imported), or one climbing the ladder."""
        if certified_before:
            issued = date(self.rng.choice([2023, 2024]), 11, 20) + self.days(0, 28)
            start = max(start, issued + self.days(10, 40))
            if not self.add(start, "hnte", Stage.CERTIFIED, admin=True, issued_on=issued,
                            certificate_number=f"GR{issued.year}33{self.rng.randint(0, 999999):06d}",
                            note="系统启用前已认定，导入历史数据"):
                return
            expires = issued.replace(year=issued.year + 3)
            if self._recertify(start, expires):
                return
            if self.add(expires + self.days(1, 5), "hnte", Stage.EXPIRED, note="证书到期，企业重新申报"):
                self.add(self.events[-1].on + self.days(3, 20), "hnte", Stage.CULTIVATING)
            return
        if not self._climb(start, "hnte"):
            return
        day = self.events[-1].on
        year = day.year if day <= date(day.year, 7, 31) else day.year + 1
        issued = date(year, 11, 25) + self.days(0, 25)
        if self.rng.random() < 0.2 and not self.showcase:
            if self.add(issued, "hnte", Stage.FAILED, note="专家评审创新能力得分不足 71 分"):
                self.add(issued + self.days(20, 60), "hnte", Stage.CULTIVATING)
            return
        if self.add(issued, "hnte", Stage.CERTIFIED, issued_on=issued,
                    certificate_number=f"GR{year}33{self.rng.randint(0, 999999):06d}"):
            return
        self._maybe_pause_or_exit("hnte")

    def prov_sme(self, start: date) -> None:
        """省科小: screened and recommended by the county, recognised in one of the province's two batches a year
        (公示, then 认定 in June or December under one 文号)."""
        if not self._climb(start, "prov_sme"):
            return
        day = self.events[-1].on + self.days(20, 60)
        batch = next(d for d in (date(day.year, 6, 10), date(day.year, 12, 10), date(day.year + 1, 6, 10)) if d >= day)
        year, recognised = batch.year, batch + self.days(0, 15)
        if self.rng.random() < 0.15:
            self.add(recognised, "prov_sme", Stage.FAILED, note="未列入省级认定名单，继续培育")
            return
        self.add(recognised, "prov_sme", Stage.CERTIFIED, issued_on=recognised,
                 certificate_number=f"浙科发高〔{year}〕{100 + self.rng.randint(0, 3) * 7}号",
                 note="省科技厅公布认定名单（经公示）")

    def rd_institution(self, start: date) -> None:
        """企业研发机构: recognised at a level (most at 县级 or 市级), some raised a level a year or two later."""
        if not self._climb(start, "rd_institution"):
            return
        day = self.events[-1].on + self.days(30, 200)
        level = self.rng.choices(["county", "city", "province", "national"], weights=[30, 45, 20, 5])[0]
        for _step in range(2):
            number = {"county": "新科〔{y}〕{n}号", "city": "绍市科〔{y}〕{n}号", "province": "浙科发高〔{y}〕{n}号",
                      "national": "发改高技〔{y}〕{n}号"}[level].format(y=day.year, n=self.rng.randint(3, 60))
            if not self.add(day, "rd_institution", Stage.CERTIFIED, issued_on=day, certificate_number=number,
                            level=level):
                return
            if level in ("province", "national") or self.rng.random() < 0.6:
                return
            level, day = {"county": "city", "city": "province"}[level], day + self.days(300, 700)

    def _recertify(self, certified: date, expires: date) -> bool:
        """In its expiry year a 高企 applies again in the July batch (重新认定申报中, the old certificate still valid);
        most are certified again in the autumn, some fail and the old certificate then expires. True if it applied."""
        if self.rng.random() < 0.3:
            return False
        applied = date(expires.year, 7, 20) + self.days(0, 10)
        if not certified < applied < expires or not self.add(applied, "hnte", Stage.RECERT_APPLYING, note="已报送本年第二批重新认定申报"):
            return False
        decided = date(expires.year, 10, 25) + self.days(0, 20)
        if self.rng.random() < 0.25:
            self.add(decided, "hnte", Stage.RECERT_FAILED, note="重新认定专家评审未通过")
        elif decided < expires:
            self.add(decided, "hnte", Stage.CERTIFIED, issued_on=decided,
                     certificate_number=f"GR{decided.year}33{self.rng.randint(0, 999999):06d}")
        return True

    def _climb(self, start: date, track: str) -> bool:
        """遴选 → 入库 → 培育 (or out on the way); True if the firm reached 培育."""
        day = start
        self.add(day, track, Stage.SCREENING, note="乡镇推荐")
        if self.rng.random() < 0.07 and not self.showcase:
            reason = self.rng.choice(list(EXIT_NOTES))
            self.add(day + self.days(10, 50), track, Stage.REMOVED, reason_code=reason.value, note=EXIT_NOTES[reason])
            return False
        for stage, low, high in ((Stage.POOL, 15, 75), (Stage.CULTIVATING, 10, 60)):
            day += self.days(low, high)
            if not self.add(day, track, stage):
                return False
        return True

    def _maybe_pause_or_exit(self, track: str) -> None:
        roll, last = self.rng.random(), self.events[-1]
        if self.showcase or last.to not in (Stage.POOL, Stage.CULTIVATING, Stage.SCREENING):
            return
        if roll < 0.18:
            paused = max(last.on + self.days(3, 20), self.today - self.days(5, 60))
            self.add(paused, track, Stage.PAUSED, note=self.rng.choice(PAUSE_REASONS),
                     resume_on=self.today + self.days(20, 150))
        elif roll < 0.25:
            reason = self.rng.choice(list(EXIT_NOTES))
            self.add(last.on + self.days(20, 90), track, Stage.REMOVED, reason_code=reason.value,
                     note=EXIT_NOTES[reason])

    def services(self, start: date) -> None:
        for _ in range(self.rng.randint(0, 4)):
            kind = self.rng.choice(list(ServiceKind))
            self.add(start + self.days(5, max(6, (self.today - start).days)), None, kind=kind.value,
                     note=self.rng.choice(SERVICE_NOTES[kind]))


def plan_history(firm_index: int, today: date) -> list[Event]:
    """Pick a scenario for a firm (firm 1, the demo firm user's, always has a rich one) and plan it."""
    planner = Planner(firm_index, today)
    roll = 0.7 if firm_index == 1 else planner.rng.random()
    start = today - timedelta(days=int(planner.rng.triangular(15, 720, 120)))
    if roll < 0.10:
        return []
    if roll < 0.20:  # newly recommended by a town this autumn
        planner.add(today - planner.days(3, 75), planner.rng.choice(["tech_sme", "tech_sme", "hnte"]),
                    Stage.SCREENING, note="乡镇推荐")
        planner.services(today - timedelta(days=60))
        return planner.events
    if roll < 0.85:
        planner.tech_sme(start)
    if roll >= 0.62:
        planner.hnte(today - timedelta(days=int(planner.rng.triangular(15, 700, 150))), certified_before=planner.rng.random() < 0.25 and firm_index != 1)
    if 0.25 <= roll < 0.85 and planner.rng.random() < 0.6:  # the county's own tracks (issue 16)
        planner.prov_sme(start + planner.days(20, 120))
    if roll >= 0.45 and planner.rng.random() < 0.35:
        planner.rd_institution(start + planner.days(30, 200))
    planner.services(start)
    return planner.events


def seed_history(firms_by_index: dict[int, Firm], *, now: datetime, zone: ZoneInfo) -> int:
    """Give demo firms without any record or service their planned history; return the number of moves made."""
    untouched = _untouched(firms_by_index)
    today = now.astimezone(zone).date()
    events = sorted(e for index in untouched for e in plan_history(index, today))
    tracks = {t.code: t for t in db.session.scalars(select(Track))}
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
    records: dict[tuple[int, str], FirmTrack] = {}
    moves = 0
    for event in events:
        firm = firms_by_index[event.firm_index]
        at = datetime.combine(event.on, time(9 + event.order % 8, (event.firm_index * 7) % 60), zone).astimezone(UTC)
        at = min(at, now)
        actor = admin if event.admin else (firm.officer or admin)
        if event.track is None:
            record_service(firm, served_on=event.on, actor=actor, now=at, **event.details)
            continue
        target = records.get((firm.id, event.track)) or (firm, tracks[event.track])
        done = move_firm(target, event.to, actor=actor, now=at, today=event.on, **event.details)
        records[(firm.id, event.track)] = done.firm_track
        moves += 1
    return moves


def _untouched(firms_by_index: dict[int, Firm]) -> list[int]:
    touched = set(db.session.scalars(select(FirmTrack.firm_id).distinct()))
    touched |= set(db.session.scalars(select(ServiceRecord.firm_id).distinct()))
    return [index for index, firm in firms_by_index.items() if firm.id not in touched]
