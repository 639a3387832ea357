"""The city edition of the monthly report (issue 24): the city's totals and a table of its counties, each county's
figures taken from its own report's context (built in that county's scope) and summed. Each county's own report is
unchanged. Services flush; the caller (CLI, job) commits."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.auth.models import User
from pipeline.dashboard.stats import TargetProgress
from pipeline.dashboard.targets.services import list_city_counties
from pipeline.domain.periods import Period
from pipeline.extensions import db
from pipeline.i18n import local_zone
from pipeline.notifications import Attachment, external_url, queue_email, render_email
from pipeline.pdf import html_to_pdf
from pipeline.reports.context import Headline, build_report_context
from pipeline.reports.models import CityReport
from pipeline.tenancy.models import Authority, AuthorityLevel
from pipeline.tenancy.scope import authority_tree, county_scope, use_scope

log = logging.getLogger(__name__)
TEMPLATE = "pdf/city_monthly_report.html"


@dataclass(frozen=True)
class CountyLine:
    """One county's key figures of the month, from its own report."""

    county_id: int
    name: str
    headlines: tuple[Headline, ...]  # in the city's track order
    risks: tuple[int, ...]  # in the order of CityReportContext.risk_labels


@dataclass(frozen=True)
class CityReportContext:
    authority: str
    city_name: str
    month_key: str
    month_label: str
    previous_label: str
    generated_at: datetime
    generated_at_text: str
    period_first: date
    through: date
    running: bool
    totals: tuple[Headline, ...]  # the city's sum of each track
    untargeted: tuple[int, ...]  # per track: how many counties have no county-wide target
    risk_labels: tuple[str, ...]
    risk_totals: tuple[int, ...]
    counties: tuple[CountyLine, ...]


def list_cities() -> list[Authority]:
    """Every city with at least one county below it."""
    tree = authority_tree(db.session)
    parents = {node.parent_id for node in tree.values() if node.level == AuthorityLevel.COUNTY.value}
    return list(db.session.scalars(select(Authority).where(
        Authority.level == AuthorityLevel.CITY.value, Authority.id.in_(parents)).order_by(Authority.id)))


def city_bureau_name(city: Authority) -> str:
    return city.bureau_name or f"{city.name}科学技术局"


def build_city_report_context(city: Authority, month: Period, *, now: datetime) -> CityReportContext:
    """Each county's report context in its own scope, and the city's sum of them."""
    from pipeline.tenancy.services import bureau_name

    zone, lines, first = local_zone(), [], None
    for county in list_city_counties(city.id):
        with use_scope(county_scope(county.id), db.session):
            context = build_report_context(month, now=now, zone=zone, authority=bureau_name(county.id), annex_limit=1)
        first = first or context
        risks = {risk.key: risk.total for risk in context.stats.risks}
        lines.append(CountyLine(county.id, county.name, context.headlines,
                                tuple(risks.get(risk.key, 0) for risk in first.stats.risks)))
    if first is None:
        raise ValueError(f"{city.name}下没有区县，无法生成全市汇总月报。")
    stats = first.stats
    return CityReportContext(
        authority=city_bureau_name(city), city_name=city.name, month_key=first.month_key, month_label=first.month_label,
        previous_label=first.previous_label, generated_at=now, generated_at_text=first.generated_at_text,
        period_first=stats.period_first, through=stats.through, running=stats.running,
        totals=tuple(_sum_headlines([line.headlines[i] for line in lines]) for i in range(len(first.headlines))),
        untargeted=tuple(sum(line.headlines[i].target is None for line in lines) for i in range(len(first.headlines))),
        risk_labels=tuple(risk.label for risk in stats.risks),
        risk_totals=tuple(sum(line.risks[i] for line in lines) for i in range(len(stats.risks))),
        counties=tuple(lines))


def _pair_sum(pairs) -> tuple[int, int]:
    return sum(pair[0] for pair in pairs), sum(pair[1] for pair in pairs)


def _sum_headlines(items: list[Headline]) -> Headline:
    """One track's headline summed over the counties: counts add up; the city's target is the sum of the targets
    set; its completion and projection follow from the sums, with the same time progress as every county's."""
    first = items[0]
    targets = [item.target for item in items if item.target is not None]
    actual, target = sum(item.year_actual for item in items), (sum(targets) if targets else None)
    progress = TargetProgress(0, date.min, actual, target, first.progress)
    return Headline(first.code, first.name, _pair_sum(item.entered_pool for item in items),
                    _pair_sum(item.certified for item in items), _pair_sum(item.exited for item in items),
                    _pair_sum(item.in_pipeline for item in items), actual, target, progress.share_reached,
                    first.progress, progress.projection, progress.on_track,
                    sum(item.year_repeat for item in items), sum(item.net_increase for item in items),
                    sum(item.valid_now for item in items))


def render_city_report_pdf(context: CityReportContext) -> bytes:
    """The city edition as PDF, in Chinese whatever the language of whoever asked for it."""
    with force_locale("zh"):
        return html_to_pdf(render_template(TEMPLATE, report=context))


def get_city_report(city_id: int, month_key: str) -> CityReport | None:
    return db.session.scalar(select(CityReport).where(CityReport.authority_id == city_id, CityReport.month == month_key))


def generate_city_report(city: Authority, month: Period, *, now: datetime) -> CityReport:
    """Render a city's edition of a calendar month and archive it, replacing an earlier copy (its sent_at stays)."""
    from pipeline.reports.services import ReportError, check_report_month

    check_report_month(month, now)
    try:
        context = build_city_report_context(city, month, now=now)
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    pdf = render_city_report_pdf(context)
    report = get_city_report(city.id, month.key)
    if report is None:
        report = CityReport(authority_id=city.id, month=month.key)
        db.session.add(report)
    report.pdf, report.size, report.sha256 = pdf, len(pdf), hashlib.sha256(pdf).hexdigest()
    report.generated_at = now
    db.session.flush()
    return report


def city_recipients(city_id: int) -> list[tuple[str, str]]:
    """(name, address) of the city's own users who receive the monthly report (每月接收漏斗报告)."""
    users = db.session.scalars(select(User).where(
        User.authority_id == city_id, User.reports_monthly.is_(True), User.active.is_(True), User.email != "")
        .order_by(User.username))
    recipients, seen = [], set()
    for user in users:
        address = user.email.strip()
        if address.lower() not in seen:
            seen.add(address.lower())
            recipients.append((user.label, address))
    return recipients


def send_city_report(report: CityReport, city: Authority, *, now: datetime) -> int:
    """Queue the city edition (Bcc) to the city's subscribed users with the PDF attached; audit it; return how many
    addresses. The outbox keeps every message under a county: this one under the city's first county."""
    from pipeline.reports.services import ReportError

    recipients = city_recipients(city.id)
    if not recipients:
        raise ReportError(f"{city.name}没有月报收件人：请为市局领导勾选“每月接收漏斗报告”并填写邮箱。全市汇总月报未发送。")
    rendered = render_email("city_monthly_report", authority=city_bureau_name(city), month_label=report.month_label,
                            size_kb=round(report.size / 1024), url=external_url("targets.city"))
    # Read before entering the county's scope: there the city's row is out of sight (row-level security).
    attachment, month, city_id = Attachment(report.filename, "application/pdf", report.pdf), report.month, city.id
    with use_scope(county_scope(list_city_counties(city_id)[0].id), db.session):
        try:
            queue_email([], rendered.subject, rendered.text, html=rendered.html, bcc=recipients,
                        template="city_monthly_report", now=now, attachments=[attachment])
        except ValueError as exc:
            raise ReportError(f"市局领导收件人地址无效：{exc}") from None
        record_event(AuditKind.REPORT_SENT, now=now, month=month, edition="city", authority=city_id,
                     recipients=[list(pair) for pair in recipients])
    report.sent_at, report.sent_to = now, len(recipients)
    db.session.flush()
    return len(recipients)


def run_city_reports(month: Period, now: datetime) -> list[str]:
    """The monthly job's city editions, after every county's own: render each city's once the month is over,
    send it once to the city's subscribed users. Running it twice sends nothing twice."""
    from pipeline.reports.services import ReportError

    results = []
    for city in list_cities():
        report = get_city_report(city.id, month.key)
        if report is not None and report.sent_at is not None:
            continue
        try:
            if report is None or report.generated_at < month.bounds(local_zone())[1]:
                report = generate_city_report(city, month, now=now)
                db.session.commit()
            if city_recipients(city.id):
                send_city_report(report, city, now=now)
                db.session.commit()
        except ReportError as exc:
            db.session.rollback()
            log.warning("city report %s of %s not sent: %s", month.key, city.id, exc)
            continue
        results.append(f"{city.name}: {report}")
    return results
