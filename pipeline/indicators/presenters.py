"""Plain values the templates show: verdicts per track in words, condition rows, initial form data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from pipeline.domain.deadlines import renewal_opens
from pipeline.domain.exact import plain
from pipeline.domain.gaps import BASIC_LIMITS, Gap, missing_years_text
from pipeline.domain.stages import Stage, public_status
from pipeline.domain.tech_sme import PASS_SCORE
from pipeline.domain.text import N_
from pipeline.i18n import quick_gettext as _
from pipeline.i18n import translate_msg
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
    "deemed_taxation": N_("实行查账征收（非核定征收）"),
    "excluded_industry": N_("不属于不适用研发费用加计扣除的行业"),
    "score": N_("评价得分 ≥60 分且科技人员指标得分不为 0"),
}
# A condition's name without its threshold: a near-miss row shows the threshold in a column of its own.
NEAR_LABELS = {
    "registered_1y": N_("成立日期"), "core_ip": N_("I 类或 II 类知识产权"), "tech_staff_ratio": N_("科技人员占比"),
    "rd_ratio": N_("研发费用占比"), "rd_domestic_share": N_("境内研发费用占比"),
    "high_tech_revenue_share": N_("高新技术产品(服务)收入占比"), "innovation_score": N_("创新能力评价"),
    "score": N_("评价得分"), "employees": N_("职工总数"), "sales": N_("年销售收入"), "total_assets": N_("资产总额"),
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
    """One track's verdict in words: tone is a Bootstrap colour name.

    `missing_years`: fiscal years whose figures would decide an undetermined verdict (待定); `holding`: the valid
    status the firm holds on the track (then `gaps` is empty, or, in its renewal window, what it lacks to apply
    again, and `renewal` is true)."""

    track: str
    title: str
    verdict: str
    tone: str
    detail: str
    gaps: list[str]
    missing_years: tuple[int, ...] = ()
    missing: str = ""
    holding: str = ""
    renewal: bool = False


def verdicts(assessment: FirmAssessment) -> list[TrackVerdict]:
    """Both tracks' verdicts in words, as the firm's valid statuses leave them (empty without an evaluation)."""
    if not assessment.ok:
        return []
    return [with_holding(assessment, v) for v in (tech_sme_verdict(assessment), hnte_verdict(assessment))]


def holding_text(track_code: str, expires_on: date | None) -> str:
    """"已认定，有效期至 2026-12-05" (科小: 已入库登记…) in the UI language: the firm's public status of its final stage."""
    status = public_status(Stage.CERTIFIED, expires_on=expires_on, track_code=track_code)
    return _(status.text, **(status.params or {}))


def with_holding(a: FirmAssessment, v: TrackVerdict) -> TrackVerdict:
    """A firm holding a valid status is not told what it lacks, except in its renewal window (apply again)."""
    if v.track not in a.holdings:
        return v
    expires_on = a.holdings[v.track]
    status = holding_text(v.track, expires_on)
    if expires_on is None:
        return TrackVerdict(v.track, v.title, _("有效"), "success", "", [], holding=status)
    opens = renewal_opens(v.track, expires_on)
    if a.today >= opens:
        return replace(v, holding=status, renewal=True)
    detail = _("%(date)s 起在此查看重新申报还差什么", date=opens.isoformat())
    return TrackVerdict(v.track, v.title, _("有效"), "success", detail, [], holding=status)


def tech_sme_verdict(a: FirmAssessment, *, with_gaps: bool = True) -> TrackVerdict:
    """The 科小 verdict in words (with_gaps=False: without the gap sentences, most of its cost, for a list that
    shows none)."""
    r = a.evaluation.tech_sme
    p = r.points
    detail = _("评分 %(score)s 分（科技人员 %(t)s、研发 %(r)s、知识产权 %(i)s）", score=r.score, t=p.tech_staff,
               r=p.rd, i=p.ip)
    if r.eligible:
        verdict = _("符合条件（直接确认条件）") if r.route == "direct" else _("符合条件")
        tone = "success"
    else:
        verdict, tone = _("暂不符合"), "warning" if r.failed == ("score",) else "danger"
    return TrackVerdict("tech_sme", _(TRACK_LABELS["tech_sme"]), verdict, tone, detail,
                        gap_texts(a, "tech_sme") if with_gaps else [])


def hnte_verdict(a: FirmAssessment, *, with_gaps: bool = True) -> TrackVerdict:
    """The 高企 verdict in words (with_gaps as tech_sme_verdict)."""
    r = a.evaluation.hnte
    verdict, tone = hnte_verdict_words(r.verdict)
    detail = _("创新能力评价 %(low)s–%(high)s 分", low=r.innovation.min, high=r.innovation.max)
    missing = translate_msg(missing_years_text(r.missing_years)) if r.missing_years else ""
    return TrackVerdict("hnte", _(TRACK_LABELS["hnte"]), verdict, tone, detail,
                        gap_texts(a, "hnte") if with_gaps else [],
                        missing_years=r.missing_years, missing=missing)


def hnte_verdict_words(verdict: str) -> tuple[str, str]:
    """A 高企 verdict in words with its Bootstrap tone."""
    return {
        "pass": (_("可通过"), "success"),
        "possible": (_("有望通过（视专家评分）"), "info"),
        "undetermined": (_("待定"), "secondary"),
        "fail": (_("暂不符合"), "danger"),
    }[verdict]


def gap_texts(a: FirmAssessment, track_code: str) -> list[str]:
    """The gap sentences of one track in the UI language."""
    return [translate_msg(g.text) for g in a.gaps_for(track_code)]


def hnte_conditions(a: FirmAssessment) -> list[ConditionRow]:
    """The nine 高企 conditions with value and threshold, for the detail table."""
    if not a.ok:
        return []
    return [hnte_condition_row(cid, c) for cid, c in a.evaluation.hnte.conditions.items()]


def hnte_condition_row(cid: str, c) -> ConditionRow:
    """One 高企 condition's label, result, value and threshold in words."""
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
    return ConditionRow(_(CONDITION_LABELS[cid]), c.passed, value, threshold)


@dataclass(frozen=True)
class NearRow:
    """A near miss in one line: condition, value, threshold, gap."""

    label: str
    value: str
    threshold: str
    gap: str


def near_row(a: FirmAssessment, gap: Gap) -> NearRow:
    """The one condition a near-miss firm lacks, with its value, threshold and the gap in numbers."""
    # A passing score closed to the score route by too few tech staff lacks no points: no shortfall to print.
    shortfall = (_("差 %(amount)s %(unit)s", amount=plain(gap.shortfall), unit=_(gap.unit))
                 if gap.unit and gap.shortfall is not None else "")
    label = _(NEAR_LABELS[gap.condition])
    if gap.track == "hnte":
        row = hnte_condition_row(gap.condition, a.evaluation.hnte.conditions[gap.condition])
        return NearRow(label, row.value, row.threshold, shortfall)
    if gap.condition == "score":
        return NearRow(label, _("%(n)s 分", n=a.evaluation.tech_sme.score), f"≥{PASS_SCORE}", shortfall)
    _label, unit, attr, ceiling = BASIC_LIMITS[gap.condition]
    unit_text = translate_msg(unit)
    return NearRow(label, f"{plain(getattr(a.profile.last, attr))} {unit_text}", f"≤{ceiling} {unit_text}", shortfall)


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
