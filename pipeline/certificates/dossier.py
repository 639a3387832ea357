"""The firm dossier (培育档案): a PDF made on demand from the firm's identity, stages, timeline and certificates, its
latest confirmed indicators and today's eligibility verdicts with their gaps (the same engine and words as the firm
page). The dossier is an official Chinese document: it is written in Chinese whatever the reader's UI language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from pipeline.certificates.documents import chinese_date
from pipeline.certificates.models import CERTIFICATE_STATUS_LABELS, Certificate
from pipeline.documents.queries import list_firm_documents
from pipeline.domain.exact import percent_text, ratio
from pipeline.domain.stages import EXIT_REASON_LABELS, ExitReason, Stage, stage_label
from pipeline.extensions import db
from pipeline.firms.models import SERVICE_KIND_LABELS, ServiceKind, ServiceRecord
from pipeline.funnel.models import FirmTrack, StageMove, Track
from pipeline.i18n import fmt_datetime, local_today, to_local
from pipeline.indicators.ip_items import ip_overview
from pipeline.indicators.presenters import amount_text, verdicts
from pipeline.indicators.queries import load_figures
from pipeline.indicators.services import evaluate_firm
from pipeline.indicators.template_globals import fact_text
from pipeline.indicators.values import FACT_LABELS, YEAR_FIELDS, YEAR_LABELS
from pipeline.pdf import render_pdf
from pipeline.tenancy.services import bureau_name


@dataclass(frozen=True)
class DossierStage:
    track: str
    stage: str
    since: str
    pool_number: str
    certificate_number: str
    certified_on: str
    expires_on: str


@dataclass(frozen=True)
class DossierEvent:
    day: str
    kind: str
    text: str
    by: str


@dataclass(frozen=True)
class DossierCertificate:
    number: str
    track: str
    status: str
    issued_on: str
    issued_at: str


@dataclass(frozen=True)
class DossierIndicator:
    """One line of the latest indicators, e.g. ('研发费用占销售收入比例', '5.1%', '2025 年')."""

    label: str
    value: str
    period: str


@dataclass(frozen=True)
class DossierVerdict:
    """One track's eligibility verdict and the gaps that keep the firm from it."""

    track: str
    verdict: str
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class DossierFile:
    """One document on file (its current version), e.g. ('审计报告', '2025', '审计报告.pdf', '2026-03-15', 2)."""

    type: str
    fiscal_year: str
    filename: str
    dated_on: str
    version: int
    uploaded_at: str


@dataclass(frozen=True)
class DossierDocument:
    firm_name: str
    credit_code: str
    town: str
    industry: str
    registered_on: str
    address: str
    legal_rep: str
    contact: str
    officer: str
    authority: str
    generated_at: str
    stages: tuple[DossierStage, ...]
    events: tuple[DossierEvent, ...]
    certificates: tuple[DossierCertificate, ...]
    indicators: tuple[DossierIndicator, ...]
    verdicts: tuple[DossierVerdict, ...]
    files: tuple[DossierFile, ...] = ()


_RATIOS = (("科技人员占职工总数比例", "tech_staff", "employees"), ("研发费用占销售收入比例", "rd", "sales"),
           ("高新技术产品(服务)收入占总收入比例", "high_tech_revenue", "total_revenue"))
_FACT_LINES = ("ip_class_i", "ip_class_ii", "ip_acquired_only", "conversions_3y", "hnte_domain")
_IP_FACTS = ("ip_class_i", "ip_class_ii", "ip_acquired_only")


def dossier_indicators(firm) -> list[DossierIndicator]:
    """The firm's latest confirmed figures, their key ratios and its confirmed facts (IP, conversions, domain)."""
    figures = load_figures(firm.id)
    lines = []
    if figures.official_years:
        year = max(figures.official_years)
        row, period = figures.official_years[year], f"{year} 年"
        lines += [DossierIndicator(YEAR_LABELS[name], amount_text(getattr(row, name)), period) for name in YEAR_FIELDS]
        lines += [DossierIndicator(label, percent_text(ratio(getattr(row, part), getattr(row, whole))), period)
                  for label, part, whole in _RATIOS]
    ip = ip_overview(firm.id, local_today()).counts  # a firm's IP items win over the counts of its facts
    if figures.official_facts is not None:
        lines += [DossierIndicator(FACT_LABELS[name], fact_text(figures.official_facts, name), "当前")
                  for name in _FACT_LINES if ip is None or name not in _IP_FACTS]
    if ip is not None:
        spent = f"，其中 {ip.spent} 件已用于高企认定、不能再次使用" if ip.spent else ""
        lines.append(DossierIndicator("知识产权（按明细）", f"I 类 {ip.class_i} 件，II 类 {ip.class_ii} 件{spent}", "当前"))
    return lines


def dossier_eligibility(firm, today: date) -> list[DossierVerdict]:
    """One verdict per track with its gaps, as the firm page shows them (待定 with the missing years)."""
    assessment = evaluate_firm(firm, today)
    if not assessment.ok:
        return [DossierVerdict("—", f"无法评价：{assessment.problem}", ())]
    rows = []
    for v in verdicts(assessment):
        words = "；".join(part for part in (v.verdict, v.holding, v.missing, v.detail) if part)
        rows.append(DossierVerdict(v.title, words, tuple(v.gaps)))
    return rows


def dossier_files(firm_id: int) -> tuple[DossierFile, ...]:
    """The documents on file, their current versions, in the order of the firm page."""
    return tuple(DossierFile(row.document.type.name, str(row.document.fiscal_year or ""), row.current.filename,
                             _day(row.current.dated_on), row.current.number, fmt_datetime(row.current.uploaded_at))
                 for row in list_firm_documents(firm_id))


def _label(labels: dict, enum, value) -> str:
    try:
        return labels[enum(value)]
    except (ValueError, KeyError):
        return value or ""


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _stages(firm_id: int) -> tuple[DossierStage, ...]:
    records = db.session.scalars(select(FirmTrack).join(Track).where(FirmTrack.firm_id == firm_id).order_by(
        Track.sort_order, Track.id))
    return tuple(DossierStage(
        track=r.track.name, stage=stage_label(r.stage, r.track.code), since=fmt_datetime(r.stage_entered_at), pool_number=r.pool_number or "",
        certificate_number=r.certificate_number or "", certified_on=_day(r.certified_on), expires_on=_day(r.expires_on),
    ) for r in records)


def _move_text(move: StageMove) -> str:
    code = move.track.code
    before = stage_label(move.from_stage, code) if move.from_stage else "（新建）"
    text = f"{move.track.name}：{before} → {stage_label(move.to_stage, code)}"
    if move.to_stage == Stage.REMOVED and move.reason_code:
        text += f"（{_label(EXIT_REASON_LABELS, ExitReason, move.reason_code)}）"
    if move.certificate_number:
        text += f"，证书编号 {move.certificate_number}"
    return text + (f"。{move.note.strip()}" if move.note and move.note.strip() else "")


def _events(firm_id: int, certificates: list[Certificate]) -> tuple[DossierEvent, ...]:
    """Moves, services and certificates, oldest first: (sort key, event)."""
    rows: list[tuple[datetime | date, int, DossierEvent]] = []
    moves = db.session.scalars(select(StageMove).options(joinedload(StageMove.actor), joinedload(StageMove.track))
                               .where(StageMove.firm_id == firm_id))
    for move in moves:
        rows.append((to_local(move.moved_at).date(), 0, DossierEvent(
            fmt_datetime(move.moved_at), "阶段变动", _move_text(move), move.actor.label if move.actor else "")))
    services = db.session.scalars(select(ServiceRecord).options(joinedload(ServiceRecord.officer))
                                  .where(ServiceRecord.firm_id == firm_id))
    for service in services:
        rows.append((service.served_on, 1, DossierEvent(
            _day(service.served_on), "企业服务", f"{_label(SERVICE_KIND_LABELS, ServiceKind, service.kind)}"
            + (f"：{service.note.strip()}" if service.note.strip() else ""),
            service.officer.label if service.officer else "")))
    for c in certificates:
        what = "换发入库证书" if c.supersedes_id else "发放入库证书"
        rows.append((to_local(c.issued_at).date(), 2, DossierEvent(
            fmt_datetime(c.issued_at), "证书", f"{what} {c.number}" + (f"（{c.change_note}）" if c.supersedes_id else ""),
            c.issued_by.label if c.issued_by else "")))
        if c.revoked_at:
            rows.append((to_local(c.revoked_at).date(), 2, DossierEvent(
                fmt_datetime(c.revoked_at), "证书", f"撤销入库证书 {c.number}：{c.revoked_reason}",
                c.revoked_by.label if c.revoked_by else "")))
    rows.sort(key=lambda row: (row[0], row[2].day, row[1]))
    return tuple(event for _, _, event in rows)


def build_dossier(firm, *, now: datetime) -> DossierDocument:
    """Collect what the dossier shows, as plain values."""
    certificates = list(db.session.scalars(select(Certificate).where(Certificate.firm_id == firm.id).order_by(
        Certificate.issued_at, Certificate.id)))
    return DossierDocument(
        firm_name=firm.name, credit_code=firm.credit_code, town=firm.town.name if firm.town else "",
        industry=firm.industry.name if firm.industry else "", registered_on=chinese_date(firm.registered_on),
        address=firm.address, legal_rep=firm.legal_rep,
        contact=" ".join(x for x in (firm.contact_name, firm.contact_phone, firm.contact_email) if x),
        officer=firm.officer.label if firm.officer else "", authority=bureau_name(firm.county_id),
        generated_at=fmt_datetime(now), stages=_stages(firm.id), events=_events(firm.id, certificates),
        certificates=tuple(DossierCertificate(
            number=c.number, track=c.track.name, status=CERTIFICATE_STATUS_LABELS[c.status],
            issued_on=chinese_date(c.issued_on), issued_at=fmt_datetime(c.issued_at)) for c in reversed(certificates)),
        indicators=tuple(dossier_indicators(firm)),
        verdicts=tuple(dossier_eligibility(firm, to_local(now).date())),
        files=dossier_files(firm.id),
    )


def render_dossier_pdf(firm, *, now: datetime) -> bytes:
    """The dossier PDF, made on demand (not stored), in Chinese."""
    with force_locale("zh"):
        return render_pdf("pdf/dossier.html", build_dossier(firm, now=now))
