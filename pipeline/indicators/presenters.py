"""Plain values the templates show: verdicts per track in words, condition rows, initial form data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from pipeline.domain.text import N_
from pipeline.indicators.assessment import FirmAssessment
from pipeline.indicators.values import FACT_LABELS, YEAR_FIELDS

TRACK_LABELS = {"tech_sme": N_("科技型中小企业"), "hnte": N_("高新技术企业")}
CONDITION_LABELS = {
    "registered_1y": N_("注册成立满一年"),
    "core_ip": N_("拥有 I 类或 II 类知识产权"),
    "domain": N_("属于国家重点支持的高新技术领域"),
    "tech_staff_ratio": N_("科技人员占职工总数 ≥10%"),
    "rd_ratio": N_("近三年研发费用占销售收入比例达标"),
    "rd_domestic_share": N_("境内研发费用占比 ≥60%"),
    "high_tech_revenue_share": N_("高新技术产品(服务)收入占比 ≥60%"),
    "no_major_incident": N_("申请前一年内无重大安全、质量事故或严重环境违法"),
    "innovation_score": N_("创新能力评价 ≥71 分"),
    "employees": N_("职工总数不超过 500 人"),
    "sales": N_("年销售收入不超过 2 亿元"),
    "total_assets": N_("资产总额不超过 2 亿元"),
    "restricted_industry": N_("不属于限制类或淘汰类产业"),
    "major_incident": N_("上一年度无重大安全、质量事故或严重环境违法"),
    "dishonest_list": N_("未列入经营异常名录或严重失信名单"),
    "score": N_("评价得分 ≥60 分且科技人员指标得分不为 0"),
}
_SHARES = {"tech_staff_ratio", "rd_ratio", "rd_domestic_share", "high_tech_revenue_share"}


@dataclass(frozen=True)
class ConditionRow:
    label: str
    passed: bool | None
    value: str
    threshold: str


@dataclass(frozen=True)
class TrackVerdict:
    """One track's verdict in words: tone is a Bootstrap colour name."""

    track: str
    title: str
    verdict: str
    tone: str
    detail: str
    gaps: list[str]


def verdicts(assessment: FirmAssessment) -> list[TrackVerdict]:
    """Both tracks' verdicts in words (empty when the firm cannot be evaluated)."""
    if not assessment.ok:
        return []
    return [tech_sme_verdict(assessment), hnte_verdict(assessment)]


def tech_sme_verdict(a: FirmAssessment) -> TrackVerdict:
    r = a.evaluation.tech_sme
    p = r.points
    detail = _("评分 %(score)s 分（科技人员 %(t)s、研发 %(r)s、知识产权 %(i)s）", score=r.score, t=p.tech_staff,
               r=p.rd, i=p.ip)
    if r.eligible:
        verdict = _("符合条件（直接认定条件）") if r.route == "direct" else _("符合条件")
        tone = "success"
    else:
        verdict, tone = _("暂不符合"), "warning" if r.failed == ("score",) else "danger"
    return TrackVerdict("tech_sme", _(TRACK_LABELS["tech_sme"]), verdict, tone, detail,
                        [g.message for g in a.gaps_for("tech_sme")])


def hnte_verdict(a: FirmAssessment) -> TrackVerdict:
    r = a.evaluation.hnte
    verdict, tone = {
        "pass": (_("可通过"), "success"),
        "possible": (_("有望通过（视专家评分）"), "info"),
        "fail": (_("暂不符合"), "danger"),
    }[r.verdict]
    detail = _("创新能力评价 %(low)s–%(high)s 分", low=r.innovation.min, high=r.innovation.max)
    return TrackVerdict("hnte", _(TRACK_LABELS["hnte"]), verdict, tone, detail,
                        [g.message for g in a.gaps_for("hnte")])


def hnte_conditions(a: FirmAssessment) -> list[ConditionRow]:
    """The nine 高企 conditions with value and threshold, for the detail table."""
    if not a.ok:
        return []
    rows = []
    for cid, c in a.evaluation.hnte.conditions.items():
        value, threshold = c.value or "—", c.threshold or ""
        if cid in _SHARES:
            value, threshold = percent(c.value), "≥" + percent(c.threshold)
        elif cid == "innovation_score":
            value, threshold = c.value.replace("-", "–"), "≥" + c.threshold
        elif cid == "registered_1y":
            threshold = _("不晚于 %(date)s", date=c.threshold)
        elif cid == "no_major_incident":
            value, threshold = (_("有") if c.value == "1" else _("无")), ""
        elif cid == "domain":
            value, threshold = (_(c.value) if c.value else "—"), ""
        rows.append(ConditionRow(_(CONDITION_LABELS[cid]), c.passed, value, threshold))
    return rows


def percent(text: str | None) -> str:
    """'0.0512' → '5.12%' (None → '—')."""
    if text is None:
        return "—"
    value = (Decimal(text) * 100).normalize()
    return f"{value:f}%"


def amount_text(value) -> str:
    """A stored figure for a form field: whole numbers without decimals, others with two."""
    if value is None:
        return ""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def year_initial(figures, fiscal_year: int | None, today: date) -> dict:
    """Initial data of the year form: the official figures, else the firm's submission."""
    data = {"fiscal_year": str(fiscal_year or today.year - 1)}
    row = figures.official_years.get(fiscal_year) or figures.firm_years.get(fiscal_year) if fiscal_year else None
    if row is not None:
        data.update((name, amount_text(getattr(row, name))) for name in YEAR_FIELDS)
    return data


def facts_initial(row) -> dict:
    """Initial data of a facts form from a stored row (or nothing)."""
    if row is None:
        return {}
    data = {}
    for name in FACT_LABELS:
        value = getattr(row, name)
        data[name] = value if isinstance(value, bool) else ("" if value is None else str(value))
    return data
