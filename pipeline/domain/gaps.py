"""Gap analysis: how far a firm is from each condition it fails, in words and numbers, and whether that is near.

Every sentence is a translatable Msg (str() gives the Chinese). A gap is *near* when a small effort closes it
(the screening's 差一项条件 list holds only firms with one near gap). Margins, per condition:
- ceilings (科小 employees, sales, total assets): exceeded by at most 10% of the ceiling (50 人, 2000 万元);
- shares (科技人员, 研发费用, 境内研发, 高新收入占比): the value reaches 80% of the threshold, or, for tech staff,
  at most 2 more people close it;
- core IP: one item (the whole gap, always near); registration: at most 60 days to go;
- scores: 科小 at most 10 points short (with some tech-staff points), 高企 innovation at most 10 points short;
- one-vote vetoes (重大事故、失信、限制类产业、核定征收、不可加计扣除行业) and a domain outside the eight are never near.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pipeline.domain import tech_sme as ts
from pipeline.domain.exact import ceil_cents, ceil_int, exact, needed_addition, percent_text, plain, ratio
from pipeline.domain.hnte import (
    DOMAINS,
    HIGH_TECH_REVENUE_MIN,
    RD_DOMESTIC_MIN,
    REGISTERED_DAYS,
    TECH_STAFF_MIN,
    HnteResult,
    period_sums,
    rd_ratio_threshold,
)
from pipeline.domain.innovation import PASS_SCORE, ip_range
from pipeline.domain.profile import IpCounts, Profile
from pipeline.domain.score_options import describe_plans
from pipeline.domain.text import M_, N_, Join, Msg

NEAR_SHARE = Fraction(4, 5)  # a share at 80% of its threshold or more
NEAR_PERSONS = 2
NEAR_CEILING = Fraction(1, 10)
NEAR_DAYS = 60
NEAR_POINTS = 10

BASIC_LIMITS = {  # condition id → (label, unit, attribute of the year figures, ceiling)
    "employees": (M_("职工总数"), M_("人"), "employees", ts.MAX_EMPLOYEES),
    "sales": (M_("年销售收入"), M_("万元"), "sales", ts.MAX_SALES),
    "total_assets": (M_("资产总额"), M_("万元"), "total_assets", ts.MAX_TOTAL_ASSETS),
}
_FACTS = {
    "restricted_industry": M_("属于国家限制类或淘汰类产业"),
    "major_incident": M_("上一年度发生重大安全、重大质量事故或严重环境违法行为"),
    "dishonest_list": M_("被列入经营异常名录或严重违法失信企业名单"),
    "deemed_taxation": M_("核定征收企业不能参加评价（需为查账征收）"),
    "excluded_industry": M_("属于不适用研发费用税前加计扣除政策的行业（财税〔2015〕119号），不能参加评价"),
    "no_major_incident": M_("申请前一年内发生重大安全、重大质量事故或严重环境违法行为"),
}


@dataclass(frozen=True, slots=True)
class Gap:
    """What a firm lacks for one condition: the sentence, the shortfall in `unit`, and whether it is near."""

    track: str
    condition: str
    text: Msg
    shortfall: Decimal | int | None = None
    unit: str | None = None
    near: bool = False

    @property
    def message(self) -> str:
        """The sentence in Chinese (the JSON of `flask evaluate`)."""
        return str(self.text)


def near_miss(track_gaps: list[Gap]) -> bool:
    """Return whether a firm misses a track by exactly one condition, and only by a small margin."""
    return len(track_gaps) == 1 and track_gaps[0].near


def gaps(profile: Profile, results: Any) -> list[Gap]:
    """Return the gaps of both tracks for an Evaluation (anything with .tech_sme and .hnte)."""
    return tech_sme_gaps(profile, results.tech_sme) + hnte_gaps(profile, results.hnte)


def track_gaps(profile: Profile, results: Any, track_code: str) -> list[Gap]:
    """Return the gaps of one track only (the other track's 科小 score plans are most of gaps()' cost)."""
    makers = {"tech_sme": lambda: tech_sme_gaps(profile, results.tech_sme),
              "hnte": lambda: hnte_gaps(profile, results.hnte)}
    return [gap for gap in makers[track_code]() if gap.track == track_code] if track_code in makers else []


def tech_sme_gaps(profile: Profile, result: ts.TechSmeResult) -> list[Gap]:
    """Return one gap per failed 科小 condition."""
    found = []
    for cid in result.failed:
        if cid in BASIC_LIMITS:
            found.append(_ceiling_gap(profile, cid))
        elif cid == "score":
            found.append(score_gap(profile, result))
        else:
            found.append(Gap("tech_sme", cid, _FACTS[cid]))
    return found


def _ceiling_gap(profile: Profile, cid: str) -> Gap:
    label, unit, attr, ceiling = BASIC_LIMITS[cid]
    value = getattr(profile.last, attr)
    excess = value - ceiling
    text = M_("%(label)s %(value)s %(unit)s，需 ≤%(ceiling)s %(unit)s，超 %(excess)s %(unit)s", label=label,
              value=plain(value), unit=unit, ceiling=ceiling, excess=plain(excess))
    return Gap("tech_sme", cid, text, excess, unit.msgid, near=exact(excess) <= NEAR_CEILING * ceiling)


def hnte_gaps(profile: Profile, result: HnteResult) -> list[Gap]:
    """Return one gap per failed 高企 condition."""
    found = []
    for cid in result.failed:
        maker = _HNTE_GAPS.get(cid)
        found.append(maker(profile, result) if maker else Gap("hnte", cid, _FACTS[cid]))
    return found


def missing_years_text(years: tuple[int, ...]) -> Msg:
    """The sentence that says which fiscal years' figures are missing ("缺少 2024 年度数据")."""
    return M_("缺少 %(years)s 年度数据", years=Join(tuple(str(y) for y in years)))


def _registered_gap(profile: Profile, result: HnteResult) -> Gap:
    days = REGISTERED_DAYS - (profile.as_of - profile.registered_on).days
    text = M_("注册成立未满 %(need)s 天（已 %(have)s 天），差 %(days)s 天", need=REGISTERED_DAYS,
              have=REGISTERED_DAYS - days, days=days)
    return Gap("hnte", "registered_1y", text, days, N_("天"), near=days <= NEAR_DAYS)


def spent_ip_text(ip: IpCounts) -> Msg:
    """"2 件 II 类知识产权已用于 2023 年高企认定，不能再次使用" (工作指引: 按Ⅱ类评价的知识产权…仅限使用一次)."""
    years = Join(tuple(str(year) for year, _count in ip.spent_class_ii))
    return M_("%(count)s 件 II 类知识产权已用于 %(years)s 年高企认定，不能再次使用", count=ip.spent, years=years)


def _core_ip_gap(profile: Profile, result: HnteResult) -> Gap:
    if profile.ip.spent:
        text = M_("尚无可用于本次申报的 I 类或 II 类知识产权，需至少 1 件：%(spent)s", spent=spent_ip_text(profile.ip))
        return Gap("hnte", "core_ip", text, 1, N_("件"), near=True)
    return Gap("hnte", "core_ip", M_("尚无 I 类或 II 类知识产权，需至少 1 件"), 1, N_("件"), near=True)


def _domain_gap(profile: Profile, result: HnteResult) -> Gap:
    if not profile.hnte_domain:
        text = M_("未填写技术领域，需属于国家重点支持的高新技术领域（%(domains)s）",
                  domains=Join(tuple(M_(d) for d in DOMAINS)))
        return Gap("hnte", "domain", text)
    text = M_("技术领域“%(domain)s”不属于国家重点支持的高新技术领域八大领域", domain=M_(profile.hnte_domain))
    return Gap("hnte", "domain", text)


def _share_near(value: Fraction | None, minimum: Decimal) -> bool:
    return value is not None and value >= NEAR_SHARE * exact(minimum)


def _tech_staff_gap(profile: Profile, result: HnteResult) -> Gap:
    y, minimum = profile.last, TECH_STAFF_MIN
    share = ratio(y.tech_staff, y.employees)
    persons = ceil_int(needed_addition(exact(y.tech_staff), exact(y.employees), exact(minimum)))
    text = M_("科技人员占比 %(value)s，需 ≥%(minimum)s，差 %(persons)s 人（新增科技人员）",
              value=percent_text(share), minimum=_pct(minimum), persons=persons)
    near = persons <= NEAR_PERSONS or _share_near(share, minimum)
    return Gap("hnte", "tech_staff_ratio", text, persons, N_("人"), near=near)


def _rd_ratio_gap(profile: Profile, result: HnteResult) -> Gap:
    sums, minimum = period_sums(profile, result.period), rd_ratio_threshold(profile.last.sales)
    if not sums.sales:
        return Gap("hnte", "rd_ratio", M_("近 %(n)s 年销售收入合计为 0，无法计算研发费用占比", n=len(result.period)))
    share = ratio(sums.rd, sums.sales)
    amount = ceil_cents(exact(minimum) * exact(sums.sales) - exact(sums.rd))
    text = M_("研发费用占比 %(value)s，按销售收入档需 ≥%(minimum)s，差 %(amount)s 万元",
              value=percent_text(share), minimum=_pct(minimum), amount=plain(amount))
    return Gap("hnte", "rd_ratio", text, amount, N_("万元"), near=_share_near(share, minimum))


def _rd_domestic_gap(profile: Profile, result: HnteResult) -> Gap:
    sums, minimum = period_sums(profile, result.period), RD_DOMESTIC_MIN
    if not sums.rd:
        return Gap("hnte", "rd_domestic_share", M_("近 %(n)s 年没有研发费用，需在境内开展研发", n=len(result.period)))
    share = ratio(sums.rd_domestic, sums.rd)
    amount = ceil_cents(needed_addition(exact(sums.rd_domestic), exact(sums.rd), exact(minimum)))
    text = M_("境内研发费用占比 %(value)s，需 ≥%(minimum)s，差 %(amount)s 万元（新增境内研发费用）",
              value=percent_text(share), minimum=_pct(minimum), amount=plain(amount))
    return Gap("hnte", "rd_domestic_share", text, amount, N_("万元"), near=_share_near(share, minimum))


def _high_tech_gap(profile: Profile, result: HnteResult) -> Gap:
    y, minimum = profile.last, HIGH_TECH_REVENUE_MIN
    if not y.total_revenue:
        text = M_("%(year)s 年总收入为 0，需有高新技术产品(服务)收入", year=profile.data_year)
        return Gap("hnte", "high_tech_revenue_share", text)
    share = ratio(y.high_tech_revenue, y.total_revenue)
    amount = ceil_cents(needed_addition(exact(y.high_tech_revenue), exact(y.total_revenue), exact(minimum)))
    text = M_("高新技术产品(服务)收入占比 %(value)s，需 ≥%(minimum)s，差 %(amount)s 万元（新增高新技术产品收入）",
              value=percent_text(share), minimum=_pct(minimum), amount=plain(amount))
    return Gap("hnte", "high_tech_revenue_share", text, amount, N_("万元"), near=_share_near(share, minimum))


def _innovation_gap(profile: Profile, result: HnteResult) -> Gap:
    score = result.innovation
    short = PASS_SCORE - score.max
    text = M_("创新能力评价 %(low)s–%(high)s 分，最高也不足 %(pass_score)s 分，差 %(short)s 分",
              low=score.min, high=score.max, pass_score=PASS_SCORE, short=short)
    lost = ip_range(profile, profile.ip)[1] - score.ip[1]  # what the spent Class II would have added at most
    if lost > 0:
        text = M_("%(text)s；%(spent)s（少计最多 %(lost)s 分）", text=text, spent=spent_ip_text(profile.ip), lost=lost)
    return Gap("hnte", "innovation_score", text, short, N_("分"), near=short <= NEAR_POINTS)


_HNTE_GAPS = {
    "registered_1y": _registered_gap, "core_ip": _core_ip_gap, "domain": _domain_gap,
    "tech_staff_ratio": _tech_staff_gap, "rd_ratio": _rd_ratio_gap, "rd_domestic_share": _rd_domestic_gap,
    "high_tech_revenue_share": _high_tech_gap, "innovation_score": _innovation_gap,
}


def score_gap(profile: Profile, result: ts.TechSmeResult) -> Gap:
    """Return the 科小 score gap: current points, what is missing and the smallest ways to qualify."""
    p = result.points
    short = max(0, ts.PASS_SCORE - p.total)
    points = {"total": p.total, "tech": p.tech_staff, "rd": p.rd, "ip": p.ip, "pass_score": ts.PASS_SCORE}
    if short:
        head = M_("评分 %(total)s 分（科技人员 %(tech)s、研发 %(rd)s、知识产权 %(ip)s），需 ≥%(pass_score)s 分，"
                  "差 %(short)s 分", short=short, **points)
    else:
        head = M_("评分 %(total)s 分（科技人员 %(tech)s、研发 %(rd)s、知识产权 %(ip)s），需 ≥%(pass_score)s 分", **points)
    note = M_("；科技人员占比低于 10% 不得按评分入库") if p.tech_staff == 0 else ""
    text = M_("%(head)s%(note)s。%(plans)s", head=head, note=note, plans=describe_plans(profile, p))
    near = short <= NEAR_POINTS and (p.tech_staff > 0 or _tech_staff_persons(profile) <= NEAR_PERSONS)
    return Gap("tech_sme", "score", text, short or None, N_("分"), near=near)


def _tech_staff_persons(profile: Profile) -> int:
    y = profile.last
    return ceil_int(needed_addition(exact(y.tech_staff), exact(y.employees), ts.TECH_STAFF_BANDS[-1][0]))


def _pct(share: Decimal) -> str:
    return f"{plain(share * 100)}%"
