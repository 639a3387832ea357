"""Gap analysis: how far a firm is from each condition it fails, in words and numbers."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pipeline.domain import tech_sme as ts
from pipeline.domain.deadlines import add_years
from pipeline.domain.exact import ceil_cents, ceil_int, exact, needed_addition, percent_text, plain, ratio
from pipeline.domain.hnte import (
    DOMAINS,
    HIGH_TECH_REVENUE_MIN,
    RD_DOMESTIC_MIN,
    TECH_STAFF_MIN,
    HnteResult,
    period_sums,
    rd_ratio_threshold,
)
from pipeline.domain.innovation import PASS_SCORE
from pipeline.domain.profile import Profile
from pipeline.domain.score_options import describe_plans

_BASIC_LIMITS = {  # condition id → (label, unit, attribute of the year figures, ceiling)
    "employees": ("职工总数", "人", "employees", ts.MAX_EMPLOYEES),
    "sales": ("年销售收入", "万元", "sales", ts.MAX_SALES),
    "total_assets": ("资产总额", "万元", "total_assets", ts.MAX_TOTAL_ASSETS),
}
_FACTS = {
    "restricted_industry": "属于国家限制类或淘汰类产业",
    "major_incident": "上一年度发生重大安全、重大质量事故或严重环境违法行为",
    "dishonest_list": "被列入经营异常名录或严重违法失信企业名单",
    "no_major_incident": "申请前一年内发生重大安全、重大质量事故或严重环境违法行为",
}


@dataclass(frozen=True, slots=True)
class Gap:
    """What a firm lacks for one condition; shortfall in `unit` when it can be counted."""

    track: str
    condition: str
    message: str
    shortfall: Decimal | int | None = None
    unit: str | None = None


def near_miss(result: Any) -> bool:
    """Return whether exactly one condition fails (a result object or its JSON dict)."""
    failed = result["failed"] if isinstance(result, dict) else result.failed
    return len(failed) == 1


def gaps(profile: Profile, results: Any) -> list[Gap]:
    """Return the gaps of both tracks for an Evaluation (anything with .tech_sme and .hnte)."""
    return tech_sme_gaps(profile, results.tech_sme) + hnte_gaps(profile, results.hnte)


def tech_sme_gaps(profile: Profile, result: ts.TechSmeResult) -> list[Gap]:
    """Return one gap per failed 科小 condition."""
    found = []
    for cid in result.failed:
        if cid in _BASIC_LIMITS:
            found.append(_ceiling_gap(profile, cid))
        elif cid == "score":
            found.append(score_gap(profile, result))
        else:
            found.append(Gap("tech_sme", cid, _FACTS[cid]))
    return found


def _ceiling_gap(profile: Profile, cid: str) -> Gap:
    label, unit, attr, ceiling = _BASIC_LIMITS[cid]
    value = getattr(profile.last, attr)
    excess = value - ceiling
    return Gap("tech_sme", cid, f"{label} {plain(value)} {unit}，需 ≤{ceiling} {unit}，超 {plain(excess)} {unit}",
               excess, unit)


def hnte_gaps(profile: Profile, result: HnteResult) -> list[Gap]:
    """Return one gap per failed 高企 condition."""
    found = []
    for cid in result.failed:
        maker = _HNTE_GAPS.get(cid)
        found.append(maker(profile, result) if maker else Gap("hnte", cid, _FACTS[cid]))
    return found


def _registered_gap(profile: Profile, result: HnteResult) -> Gap:
    anniversary = add_years(profile.registered_on, 1)
    days = (anniversary - profile.as_of).days
    return Gap("hnte", "registered_1y", f"注册未满一年，{anniversary.isoformat()} 起满一年，差 {days} 天", days, "天")


def _core_ip_gap(profile: Profile, result: HnteResult) -> Gap:
    return Gap("hnte", "core_ip", "尚无 I 类或 II 类知识产权，需至少 1 件", 1, "件")


def _domain_gap(profile: Profile, result: HnteResult) -> Gap:
    if not profile.hnte_domain:
        return Gap("hnte", "domain", f"未填写技术领域，需属于国家重点支持的高新技术领域（{'、'.join(DOMAINS)}）")
    return Gap("hnte", "domain", f"技术领域“{profile.hnte_domain}”不属于国家重点支持的高新技术领域八大领域")


def _tech_staff_gap(profile: Profile, result: HnteResult) -> Gap:
    y, minimum = profile.last, TECH_STAFF_MIN
    persons = ceil_int(needed_addition(exact(y.tech_staff), exact(y.employees), exact(minimum)))
    return Gap("hnte", "tech_staff_ratio",
               f"科技人员占比 {percent_text(ratio(y.tech_staff, y.employees))}，需 ≥{_pct(minimum)}，"
               f"差 {persons} 人（新增科技人员）", persons, "人")


def _rd_ratio_gap(profile: Profile, result: HnteResult) -> Gap:
    sums, minimum = period_sums(profile, result.period), rd_ratio_threshold(profile.last.sales)
    if not sums.sales:
        return Gap("hnte", "rd_ratio", f"近 {len(result.period)} 年销售收入合计为 0，无法计算研发费用占比")
    amount = ceil_cents(exact(minimum) * exact(sums.sales) - exact(sums.rd))
    return Gap("hnte", "rd_ratio",
               f"研发费用占比 {percent_text(ratio(sums.rd, sums.sales))}，按销售收入档需 ≥{_pct(minimum)}，"
               f"差 {plain(amount)} 万元", amount, "万元")


def _rd_domestic_gap(profile: Profile, result: HnteResult) -> Gap:
    sums, minimum = period_sums(profile, result.period), RD_DOMESTIC_MIN
    if not sums.rd:
        return Gap("hnte", "rd_domestic_share", f"近 {len(result.period)} 年没有研发费用，需在境内开展研发")
    amount = ceil_cents(needed_addition(exact(sums.rd_domestic), exact(sums.rd), exact(minimum)))
    return Gap("hnte", "rd_domestic_share",
               f"境内研发费用占比 {percent_text(ratio(sums.rd_domestic, sums.rd))}，需 ≥{_pct(minimum)}，"
               f"差 {plain(amount)} 万元（新增境内研发费用）", amount, "万元")


def _high_tech_gap(profile: Profile, result: HnteResult) -> Gap:
    y, minimum = profile.last, HIGH_TECH_REVENUE_MIN
    if not y.total_revenue:
        return Gap("hnte", "high_tech_revenue_share", f"{profile.data_year} 年总收入为 0，需有高新技术产品(服务)收入")
    amount = ceil_cents(needed_addition(exact(y.high_tech_revenue), exact(y.total_revenue), exact(minimum)))
    return Gap("hnte", "high_tech_revenue_share",
               f"高新技术产品(服务)收入占比 {percent_text(ratio(y.high_tech_revenue, y.total_revenue))}，"
               f"需 ≥{_pct(minimum)}，差 {plain(amount)} 万元（新增高新技术产品收入）", amount, "万元")


def _innovation_gap(profile: Profile, result: HnteResult) -> Gap:
    score = result.innovation
    short = PASS_SCORE - score.max
    return Gap("hnte", "innovation_score",
               f"创新能力评价 {score.min}–{score.max} 分，最高也不足 {PASS_SCORE} 分，差 {short} 分", short, "分")


_HNTE_GAPS = {
    "registered_1y": _registered_gap, "core_ip": _core_ip_gap, "domain": _domain_gap,
    "tech_staff_ratio": _tech_staff_gap, "rd_ratio": _rd_ratio_gap, "rd_domestic_share": _rd_domestic_gap,
    "high_tech_revenue_share": _high_tech_gap, "innovation_score": _innovation_gap,
}


def score_gap(profile: Profile, result: ts.TechSmeResult) -> Gap:
    """Return the 科小 score gap: current points, what is missing and the smallest ways to qualify."""
    p = result.points
    short = max(0, ts.PASS_SCORE - p.total)
    text = f"评分 {p.total} 分（科技人员 {p.tech_staff}、研发 {p.rd}、知识产权 {p.ip}），需 ≥{ts.PASS_SCORE} 分"
    text += f"，差 {short} 分" if short else ""
    text += "；科技人员占比低于 10% 不得按评分入库" if p.tech_staff == 0 else ""
    return Gap("tech_sme", "score", f"{text}。{describe_plans(profile, p)}", short or None, "分")


def _pct(share: Decimal) -> str:
    return f"{plain(share * 100)}%"
