"""Which reminders each rule makes due on a day: one finder per rule, reading the database, yielding Due values."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.orm import joinedload

from pipeline.auth.models import User
from pipeline.domain.deadlines import annual_report_due
from pipeline.domain.reminders import (
    HNTE_BATCH_DAYS_BEFORE,
    HNTE_EXPIRY_DAYS_BEFORE,
    RuleCode,
    annual_report_dates,
    batch_dates,
    digest_day,
    evaluation_window_dates,
    expiry_notice_dates,
    hnte_expiry_dates,
    latest_due,
)
from pipeline.domain.stages import HOLDING, STAGE_LABELS, Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack
from pipeline.reminders.models import AnnualReportFiling, HnteBatch
from pipeline.reminders.queries import (
    HNTE,
    TECH_SME,
    get_program_year,
    list_stale_records,
    settings_county,
    track_records,
)
from pipeline.reminders.verdicts import hnte_verdicts

VERDICT_TEXT = {"pass": "基本符合认定条件", "possible": "有望符合认定条件",
                "undetermined": "待定：近三年有年度缺少已核实指标，请尽快补报"}
TECH_SME_SKIPPED_STAGES = (Stage.REMOVED, Stage.PAUSED)


@dataclass(frozen=True)
class Due:
    """A reminder that a rule makes due: to a firm (about itself) or to an officer (about a firm, or a digest)."""

    rule: RuleCode
    due_on: date
    values: dict[str, object]
    firm: Firm | None = None
    to_firm: bool = False
    officer: User | None = None
    items: tuple[str, ...] = field(default=())

    @property
    def target(self) -> str:
        if self.to_firm:
            return f"firm:{self.firm.id}"
        return f"user:{self.officer.id}" + (f":firm:{self.firm.id}" if self.firm else "")


def _fmt(day: date | None) -> str:
    return day.isoformat() if day else "以通知为准"


def _firm_and_officer(rule: RuleCode, due_on: date, firm: Firm, values: dict) -> Iterator[Due]:
    yield Due(rule, due_on, values, firm=firm, to_firm=True)
    if firm.officer is not None and firm.officer.active:
        yield Due(rule, due_on, values, firm=firm, officer=firm.officer)


def _records(stmt) -> list[FirmTrack]:
    return list(db.session.scalars(stmt.options(joinedload(FirmTrack.firm).joinedload(Firm.officer))
                                   .order_by(FirmTrack.firm_id)).unique())


def find_hnte_expiry(today: date, catch_up: int) -> Iterator[Due]:
    """1. Certified 高企 whose certificate expires in 180, 90 or 30 days → the firm and its officer."""
    window = and_(FirmTrack.expires_on >= today - timedelta(days=catch_up) + timedelta(days=min(HNTE_EXPIRY_DAYS_BEFORE)),
                  FirmTrack.expires_on <= today + timedelta(days=max(HNTE_EXPIRY_DAYS_BEFORE)))
    for record in _records(track_records(HNTE, *HOLDING).where(window)):
        due_on = latest_due(hnte_expiry_dates(record.expires_on), today, catch_up)
        if due_on is not None:
            values = {"企业名称": record.firm.name, "证书编号": record.certificate_number or "—",
                      "到期日期": _fmt(record.expires_on), "剩余天数": (record.expires_on - today).days}
            yield from _firm_and_officer(RuleCode.HNTE_EXPIRY, due_on, record.firm, values)


def find_hnte_annual_report(today: date, catch_up: int) -> Iterator[Due]:
    """2. 1 and 20 May → every 高企 certified before this year that has not been marked as filed."""
    due_on = latest_due(annual_report_dates(today.year), today, catch_up)
    if due_on is None:
        return
    filed = select(AnnualReportFiling.firm_id).where(AnnualReportFiling.year == today.year)
    stmt = track_records(HNTE, *HOLDING).where(
        or_(FirmTrack.certified_on.is_(None), FirmTrack.certified_on < date(today.year, 1, 1)),
        FirmTrack.firm_id.not_in(filed))
    deadline = annual_report_due(today.year)
    for record in _records(stmt):
        values = {"企业名称": record.firm.name, "报告年度": today.year - 1, "截止日期": _fmt(deadline),
                  "剩余天数": (deadline - today).days}
        yield Due(RuleCode.HNTE_ANNUAL_REPORT, due_on, values, firm=record.firm, to_firm=True)


def find_tech_sme_evaluation(today: date, catch_up: int) -> Iterator[Due]:
    """3. The 科小 window opens, and 14 days before it closes → firms on the track without this year's number."""
    year = get_program_year(today.year)
    if year is None or year.tech_sme_opens_on is None:
        return
    due_on = latest_due(evaluation_window_dates(year.tech_sme_opens_on, year.tech_sme_closes_on), today, catch_up)
    if due_on is None or (year.tech_sme_closes_on is not None and today > year.tech_sme_closes_on):
        return
    # Last year's numbers expired on 31 December: only a number of this year counts.
    stmt = track_records(TECH_SME).where(
        FirmTrack.stage.not_in(TECH_SME_SKIPPED_STAGES),
        or_(FirmTrack.certificate_number.is_(None), not_(FirmTrack.certificate_number.startswith(str(today.year)))),
        or_(FirmTrack.revoked_year.is_(None), FirmTrack.revoked_year != today.year))
    for record in _records(stmt):
        values = {"企业名称": record.firm.name, "评价年度": today.year, "开始日期": _fmt(year.tech_sme_opens_on),
                  "截止日期": _fmt(year.tech_sme_closes_on)}
        yield Due(RuleCode.TECH_SME_EVALUATION, due_on, values, firm=record.firm, to_firm=True)


def find_stale_digest(today: date, catch_up: int) -> Iterator[Due]:
    """4. Mondays → each officer: the firms past their stage's stale threshold."""
    due_on = latest_due([digest_day(today)], today, catch_up)
    if due_on is None:
        return
    records = [r for r in list_stale_records(today) if r.officer_id is not None]
    officers = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r.officer_id for r in records})))}
    for officer_id, group in groupby(records, key=lambda r: r.officer_id):
        officer = officers[officer_id]
        if not officer.active:
            continue
        items = tuple(f"{r.firm_name}（{r.track_name}·{STAGE_LABELS[r.stage]}）：已 {r.days_quiet} 天未跟进，"
                      f"阈值 {r.stale_days} 天" for r in group)
        values = {"专员姓名": officer.label, "企业数": len(items)}
        yield Due(RuleCode.STALE_DIGEST, due_on, values, officer=officer, items=items)


def find_pause_ended(today: date, catch_up: int) -> Iterator[Due]:
    """5. The day a pause ends → the responsible officer."""
    stmt = (select(FirmTrack).where(FirmTrack.stage == Stage.PAUSED,
                                    FirmTrack.paused_until.between(today - timedelta(days=catch_up), today)))
    for record in _records(stmt):
        officer = record.firm.officer
        if officer is None or not officer.active:
            continue
        values = {"企业名称": record.firm.name, "培育类型": record.track.name,
                  "暂缓截止日期": _fmt(record.paused_until), "暂缓原因": record.pause_reason or "—"}
        yield Due(RuleCode.PAUSE_ENDED, record.paused_until, values, firm=record.firm, officer=officer)


def find_hnte_batch(today: date, catch_up: int) -> Iterator[Due]:
    """6. 30 and 7 days before a 高企 batch closes → firms in 培育 on the 高企 track judged pass or possible, and
    those whose verdict waits for a missing year's figures (undetermined: they are told to file them)."""
    for batch in _batches_due(today, catch_up):
        due_on = latest_due(batch_dates(batch.due_on), today, catch_up)
        if due_on is None or batch.due_on < today:
            continue
        records = _records(track_records(HNTE, Stage.CULTIVATING))
        verdicts = hnte_verdicts([r.firm_id for r in records], today)
        for record in records:
            if verdicts.get(record.firm_id) in VERDICT_TEXT:
                values = {"企业名称": record.firm.name, "批次截止日期": _fmt(batch.due_on),
                          "剩余天数": (batch.due_on - today).days, "评估结论": VERDICT_TEXT[verdicts[record.firm_id]]}
                yield Due(RuleCode.HNTE_BATCH, due_on, values, firm=record.firm, to_firm=True)


def find_cert_expired(today: date, catch_up: int) -> Iterator[Due]:
    """7. The day after a status expired (the expiry job moved the record to 已过期) → the firm and its officer."""
    window = FirmTrack.expires_on.between(today - timedelta(days=catch_up + 1), today - timedelta(days=1))
    for record in _records(select(FirmTrack).where(FirmTrack.stage == Stage.EXPIRED, window)):
        due_on = latest_due(expiry_notice_dates(record.expires_on), today, catch_up)
        if due_on is not None:
            values = {"企业名称": record.firm.name, "资格名称": record.track.name,
                      "证书编号": record.certificate_number or "—", "到期日期": _fmt(record.expires_on)}
            yield from _firm_and_officer(RuleCode.CERT_EXPIRED, due_on, record.firm, values)


def find_hnte_recert(today: date, catch_up: int) -> Iterator[Due]:
    """8. 30 and 7 days before each batch of the year → 高企 whose certificate expires that year (also expired or
    failed since) and that have not applied yet, and their officers: the batch calendar of the expiry year."""
    from pipeline.funnel.recert import RECERT_DUE_STAGES

    for batch in _batches_due(today, catch_up):
        due_on = latest_due(batch_dates(batch.due_on), today, catch_up)
        if due_on is None or batch.due_on < today:
            continue
        stages = [stage for stage in RECERT_DUE_STAGES if stage is not Stage.RECERT_APPLYING]
        stmt = track_records(HNTE, *stages).where(
            FirmTrack.expires_on.between(date(batch.due_on.year, 1, 1), date(batch.due_on.year, 12, 31)))
        for record in _records(stmt):
            values = {"企业名称": record.firm.name, "证书编号": record.certificate_number or "—",
                      "到期日期": _fmt(record.expires_on), "批次截止日期": _fmt(batch.due_on),
                      "剩余天数": (batch.due_on - today).days}
            yield from _firm_and_officer(RuleCode.HNTE_RECERT, due_on, record.firm, values)


def _batches_due(today: date, catch_up: int) -> list[HnteBatch]:
    """The county's batches announced today (or within the catch-up days): 30 or 7 days before their deadline."""
    return list(db.session.scalars(select(HnteBatch).where(
        HnteBatch.county_id == settings_county(),
        HnteBatch.due_on >= today - timedelta(days=catch_up) + timedelta(days=min(HNTE_BATCH_DAYS_BEFORE)),
        HnteBatch.due_on <= today + timedelta(days=max(HNTE_BATCH_DAYS_BEFORE))).order_by(HnteBatch.due_on)))


FINDERS: dict[RuleCode, Callable[[date, int], Iterator[Due]]] = {
    RuleCode.HNTE_EXPIRY: find_hnte_expiry,
    RuleCode.HNTE_ANNUAL_REPORT: find_hnte_annual_report,
    RuleCode.TECH_SME_EVALUATION: find_tech_sme_evaluation,
    RuleCode.STALE_DIGEST: find_stale_digest,
    RuleCode.PAUSE_ENDED: find_pause_ended,
    RuleCode.HNTE_BATCH: find_hnte_batch,
    RuleCode.CERT_EXPIRED: find_cert_expired,
    RuleCode.HNTE_RECERT: find_hnte_recert,
}
