"""The figures' names, labels and the one parser/checker that forms, the portal and the Excel import share.

Messages are Chinese msgids passed through gettext, so a form, a portal page and an import preview say the same
thing about the same mistake.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from pipeline.domain.hnte import DOMAINS
from pipeline.domain.profile import EXPERT_RANGES, SIGNED_AMOUNTS
from pipeline.domain.text import N_

PEOPLE = ("employees", "tech_staff")
AMOUNTS = ("sales", "cost_expense", "rd", "rd_domestic", "total_assets", "net_assets", "total_revenue",
           "high_tech_revenue")
YEAR_FIELDS = PEOPLE + AMOUNTS
YEAR_LABELS = {
    "employees": N_("职工总数（人）"),
    "tech_staff": N_("科技人员数（人）"),
    "sales": N_("销售收入（万元）"),
    "cost_expense": N_("成本费用支出总额（万元）"),
    "rd": N_("研发费用（万元）"),
    "rd_domestic": N_("境内研发费用（万元）"),
    "total_assets": N_("资产总额（万元）"),
    "net_assets": N_("净资产（万元）"),
    "total_revenue": N_("总收入（万元）"),
    "high_tech_revenue": N_("高新技术产品(服务)收入（万元）"),
}
COUNT_FACTS = ("ip_class_i", "ip_class_ii", "conversions_3y")
UNKNOWN_WHEN_BLANK = ("conversions_3y",)  # blank means "not known", which the engine reads as a range, not as 0
DIRECT_FACTS = ("valid_hnte", "national_award_top3", "provincial_rd_institution", "led_standard")
FLAG_FACTS = ("restricted_industry", "major_incident", "dishonest_list", "deemed_taxation", "excluded_industry")
EXPERT_FACTS = tuple(f"expert_{name}" for name in EXPERT_RANGES)
FACT_LABELS = {
    "ip_class_i": N_("I 类知识产权（件）"),
    "ip_class_ii": N_("II 类知识产权（件）"),
    "ip_acquired_only": N_("知识产权均为受让、受赠或并购取得"),
    "hnte_domain": N_("高企技术领域"),
    "conversions_3y": N_("近三年科技成果转化（项）"),
    "valid_hnte": N_("持有有效高企证书"),
    "national_award_top3": N_("近五年获国家级科技奖励（前三名）"),
    "provincial_rd_institution": N_("拥有省部级以上研发机构"),
    "led_standard": N_("近五年主导制定国际、国家或行业标准"),
    "restricted_industry": N_("属于限制类或淘汰类产业"),
    "major_incident": N_("上一年度发生重大安全、质量事故或严重环境违法"),
    "dishonest_list": N_("列入经营异常名录或严重失信名单"),
    "deemed_taxation": N_("核定征收（非查账征收）"),
    "excluded_industry": N_("属于不适用研发费用加计扣除的行业（财税〔2015〕119号）"),
    "expert_advancement": N_("专家评分：技术先进程度（0–8）"),
    "expert_core_support": N_("专家评分：核心支持作用（0–8）"),
    "expert_acquisition": N_("专家评分：获得方式（0–6）"),
    "expert_standards": N_("专家评分：参与标准制定（0–2）"),
    "expert_rd_management": N_("专家评分：研发组织管理水平（0–20）"),
}
OTHER_DOMAIN = "其他"
DOMAIN_CHOICES = (*DOMAINS, OTHER_DOMAIN)
# The fields' names are msgids: pages show them translated; the database and the Excel files keep the Chinese name.
DOMAIN_MSGIDS = (N_("电子信息"), N_("生物与新医药"), N_("航空航天"), N_("新材料"), N_("高技术服务"), N_("新能源与节能"),
                 N_("资源与环境"), N_("先进制造与自动化"), N_("其他"))
# What a firm may submit about itself from the portal; flags and expert scores are the bureau's to set.
FIRM_FACTS = ("ip_class_i", "ip_class_ii", "ip_acquired_only", "hnte_domain", "conversions_3y", "national_award_top3",
              "provincial_rd_institution", "led_standard", "deemed_taxation")
MIN_FISCAL_YEAR = 1990
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
_CENT = Decimal("0.01")
_NOISE = Decimal("0.000001")
MAX_COUNT = 10_000_000
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


class ValueProblem(ValueError):
    """A value that cannot be stored; the message is Chinese and says what to type instead."""


@dataclass(frozen=True)
class Checked:
    """Parsed values with the problems found, keyed by field name."""

    values: dict
    errors: dict[str, str]


def parse_amount(raw, signed: bool = False) -> Decimal | None:
    """Return an amount with at most two decimals, non-negative unless `signed` (None for blank), or raise
    ValueProblem."""
    number = _number(raw)
    if number is None:
        return None
    if number < 0 and not signed:
        raise ValueProblem(_("不能为负数：%(value)s", value=_show(raw)))
    if abs(number) > MAX_AMOUNT:
        raise ValueProblem(_("数值过大：%(value)s", value=_show(raw)))
    if number.as_tuple().exponent < -2:
        rounded = number.quantize(_CENT)
        if rounded == number or (type(raw) is float and abs(number - rounded) < _NOISE):
            return rounded  # trailing zeros, or the binary noise of a spreadsheet formula
        raise ValueProblem(_("最多保留两位小数：%(value)s", value=_show(raw)))
    return number


def parse_count(raw) -> int | None:
    """Return a non-negative whole number (None for blank), or raise ValueProblem."""
    number = _number(raw)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueProblem(_("应为整数：%(value)s", value=_show(raw)))
    if number < 0:
        raise ValueProblem(_("不能为负数：%(value)s", value=_show(raw)))
    if number > MAX_COUNT:
        raise ValueProblem(_("数值过大：%(value)s", value=_show(raw)))
    return int(number)


def parse_flag(raw) -> bool | None:
    """Return a yes/no answer from 是/否, Y/N, 1/0, true/false (None for blank)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"是", "有", "y", "yes", "true", "1", "√"}:
        return True
    if text in {"否", "无", "n", "no", "false", "0", "×"}:
        return False
    raise ValueProblem(_("应填“是”或“否”：%(value)s", value=_show(raw)))


def parse_domain(raw) -> str | None:
    """Return one of the eight 高企 domains or 其他 (None for blank)."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()
    if text not in DOMAIN_CHOICES:
        raise ValueProblem(_("技术领域应为以下之一：%(choices)s", choices="、".join(DOMAIN_CHOICES)))
    return text


def check_year(raw: dict) -> Checked:
    """Parse one fiscal year's ten figures; blank 境内研发费用 means all R&D was domestic."""
    values, errors = {}, {}
    for name in YEAR_FIELDS:
        try:
            values[name] = _parse_figure(name, raw.get(name))
        except ValueProblem as exc:
            errors[name] = str(exc)
            continue
        if values[name] is None and name != "rd_domestic":
            errors[name] = _("请填写%(label)s。", label=_(YEAR_LABELS[name]))
    if values.get("rd_domestic") is None and "rd" in values:
        values["rd_domestic"] = values["rd"]
    errors.update(_cross_check(values, errors))
    return Checked(values, errors)


def _parse_figure(name: str, raw):
    if name in PEOPLE:
        return parse_count(raw)
    return parse_amount(raw, signed=name in SIGNED_AMOUNTS)


def _cross_check(v: dict, errors: dict) -> dict[str, str]:
    found = {}
    ok = {n: v.get(n) is not None and n not in errors for n in _CROSS}
    if ok["employees"] and v["employees"] == 0:
        found["employees"] = _("职工总数必须大于 0。")
    if ok["employees"] and ok["tech_staff"] and v["tech_staff"] > v["employees"]:
        found["tech_staff"] = _("科技人员 %(tech)s 人多于职工总数 %(employees)s 人。",
                                tech=v["tech_staff"], employees=v["employees"])
    if ok["rd"] and ok["rd_domestic"] and v["rd_domestic"] > v["rd"]:
        found["rd_domestic"] = _("境内研发费用不能大于研发费用。")
    if ok["total_revenue"] and ok["high_tech_revenue"] and v["high_tech_revenue"] > v["total_revenue"]:
        found["high_tech_revenue"] = _("高新技术产品(服务)收入不能大于总收入。")
    return found


_CROSS = ("employees", "tech_staff", "rd", "rd_domestic", "total_revenue", "high_tech_revenue")


def check_facts(raw: dict, names: tuple[str, ...] | None = None) -> Checked:
    """Parse the per-firm facts that are present in raw (all of them when names is None)."""
    values, errors = {}, {}
    for name in names or tuple(FACT_LABELS):
        if name not in raw:
            continue
        try:
            values[name] = _parse_fact(name, raw[name])
        except ValueProblem as exc:
            errors[name] = str(exc)
    return Checked(values, errors)


def _parse_fact(name: str, raw):
    if name == "hnte_domain":
        return parse_domain(raw)
    if name in COUNT_FACTS:
        count = parse_count(raw)
        return count if count is not None or name in UNKNOWN_WHEN_BLANK else 0
    if name in EXPERT_FACTS:
        score = parse_count(raw)
        top = EXPERT_RANGES[name.removeprefix("expert_")]
        if score is not None and score > top:
            raise ValueProblem(_("专家评分应在 0–%(top)s 之间。", top=top))
        return score
    return bool(parse_flag(raw))


def _number(raw) -> Decimal | None:
    kind = type(raw)  # exact types first: this runs for every cell of a 50,000-row import
    if kind is int:
        return Decimal(raw)
    if kind is float:
        if not math.isfinite(raw):
            raise ValueProblem(_("不是数字：%(value)s", value=_show(raw)))
        return Decimal(repr(raw))  # the shortest decimal that reads back as this float: what was typed
    if kind is Decimal:
        return raw
    if raw is None:
        return None
    if kind is bool:
        raise ValueProblem(_("不是数字：%(value)s", value=_show(raw)))
    text = str(raw).strip().replace("，", ",")
    if not text:
        return None
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueProblem(_("不是数字：%(value)s", value=_show(raw))) from None
    if not number.is_finite() or number.adjusted() > 15:
        raise ValueProblem(_("数值无效：%(value)s", value=_show(raw)))
    return number


def _show(raw) -> str:
    text = str(raw)
    return text if len(text) <= 30 else text[:30] + "…"
