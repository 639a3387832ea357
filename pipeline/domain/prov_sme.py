"""省级科技型中小企业 (Zhejiang, RULES.md §3): its own conditions, verdict and gaps. Plain Python on a Profile.

Source: 浙科发高〔2016〕88号 (after 浙科发高〔2002〕201号 / 〔2012〕286号): registered in the province for at least a
year with independent accounting; owns IP or proprietary know-how (patent applications and trademarks count here,
unlike 科小 and 高企); tech staff at least 10% of employees "in principle"; ongoing R&D spending (no figure is set);
a small or medium enterprise under the 2011 size standard (工信部联企业〔2011〕300号); no major safety, quality or
environmental incident and no serious dishonesty in the past year. The county screens, the city recommends and the
province recognises in batches.

What a Profile cannot tell: patent applications and trademarks are not among its IP counts, so a firm without
granted IP is "to be checked" (pass None), not a failure; the size test uses the 工业 line of the 2011 standard
(the county's firms are manufacturers): large = 从业人员 ≥ 1000 AND 营业收入 ≥ 40000 万元.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from pipeline.domain.exact import exact, plain
from pipeline.domain.gaps import Gap
from pipeline.domain.profile import Profile
from pipeline.domain.text import M_

TRACK = "prov_sme"
REGISTERED_DAYS = 365
TECH_STAFF_SHARE = Fraction(1, 10)
LARGE_EMPLOYEES = 1000  # 工业: 从业人员 1000 人及以上 …
LARGE_REVENUE = 40000  # … 且营业收入 40000 万元及以上 is a large enterprise (2011 standard)
CONDITIONS = ("registered_1y", "ip", "tech_staff_ratio", "rd_ongoing", "sme_size", "no_major_incident",
              "not_dishonest")


@dataclass(frozen=True)
class ProvSmeResult:
    """Each condition's outcome (True, False, or None: the officer must check), and the verdict."""

    conditions: dict[str, bool | None]

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(cid for cid in CONDITIONS if self.conditions[cid] is False)

    @property
    def to_check(self) -> tuple[str, ...]:
        return tuple(cid for cid in CONDITIONS if self.conditions[cid] is None)

    @property
    def verdict(self) -> str:
        """'fail' if a condition fails, 'possible' if one must be checked, else 'pass'."""
        return "fail" if self.failed else "possible" if self.to_check else "pass"


def evaluate_prov_sme(profile: Profile) -> ProvSmeResult:
    """Judge a firm against the 省科小 conditions on its data year's figures."""
    last = profile.last
    large = last.employees >= LARGE_EMPLOYEES and exact(last.sales) >= LARGE_REVENUE
    return ProvSmeResult({
        "registered_1y": (profile.as_of - profile.registered_on).days >= REGISTERED_DAYS,
        "ip": True if profile.ip.total > 0 else None,
        "tech_staff_ratio": last.tech_staff * TECH_STAFF_SHARE.denominator >= last.employees,
        "rd_ongoing": exact(last.rd) > 0,
        "sme_size": not large,
        "no_major_incident": not profile.flags.major_incident,
        "not_dishonest": not profile.flags.dishonest_list,
    })


def prov_sme_gaps(profile: Profile, result: ProvSmeResult) -> list[Gap]:
    """One gap per condition that fails or must be checked, with how far the firm is from it."""
    return [_GAPS[cid](profile) for cid in CONDITIONS if result.conditions[cid] is not True]


def _registered(profile: Profile) -> Gap:
    days = REGISTERED_DAYS - (profile.as_of - profile.registered_on).days
    return Gap(TRACK, "registered_1y", M_("注册未满一年，还差 %(days)s 天", days=days), days, "天", near=days <= 60)


def _ip(profile: Profile) -> Gap:
    return Gap(TRACK, "ip", M_("尚无已授权知识产权；专利申请、注册商标或专有技术也可计入，请核实"), 1, "件",
               near=True)


def _tech_staff(profile: Profile) -> Gap:
    last = profile.last
    needed = math.ceil(TECH_STAFF_SHARE * last.employees) - last.tech_staff
    text = M_("科技人员 %(staff)s 人，占职工 %(employees)s 人的比例原则上需 ≥10%%，差 %(needed)s 人",
              staff=last.tech_staff, employees=last.employees, needed=needed)
    return Gap(TRACK, "tech_staff_ratio", text, needed, "人", near=needed <= 2)


def _rd(profile: Profile) -> Gap:
    return Gap(TRACK, "rd_ongoing", M_("%(year)s 年度没有研发费用支出，需有持续的研发投入", year=profile.data_year))


def _size(profile: Profile) -> Gap:
    last = profile.last
    text = M_("职工 %(employees)s 人、年销售收入 %(sales)s 万元，按 2011 年中小企业划型标准（工业）属大型企业",
              employees=last.employees, sales=plain(last.sales))
    return Gap(TRACK, "sme_size", text)


def _incident(profile: Profile) -> Gap:
    return Gap(TRACK, "no_major_incident", M_("上一年度发生重大安全、重大质量事故或严重环境违法行为"))


def _dishonest(profile: Profile) -> Gap:
    return Gap(TRACK, "not_dishonest", M_("被列入经营异常名录或严重违法失信企业名单"))


_GAPS = {"registered_1y": _registered, "ip": _ip, "tech_staff_ratio": _tech_staff, "rd_ongoing": _rd,
         "sme_size": _size, "no_major_incident": _incident, "not_dishonest": _dishonest}
