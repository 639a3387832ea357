"""Firm profile: the plain values the eligibility engine reads, and their strict parser."""

import json
import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pipeline.domain.credit_code import CreditCodeError, validate_credit_code

MAX_MAGNITUDE = 15   # up to 10^16 (万元 or persons)
MAX_PLACES = 20      # decimal places
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR = re.compile(r"\d{4}")


class ProfileError(ValueError):
    """An invalid firm profile; `field` names the offending field (dotted path)."""

    def __init__(self, field_path: str, zh: str, en: str):
        super().__init__(f"{field_path}: {zh} ({en})")
        self.field = field_path


@dataclass(frozen=True, slots=True)
class YearFigures:
    """One fiscal year's figures; amounts in 万元."""

    employees: int
    tech_staff: int
    sales: Decimal
    cost_expense: Decimal
    rd: Decimal
    rd_domestic: Decimal
    total_assets: Decimal
    net_assets: Decimal
    total_revenue: Decimal
    high_tech_revenue: Decimal


@dataclass(frozen=True, slots=True)
class IpCounts:
    """Owned intellectual property by class (RULES §1), and the Class II a 高企 application may no longer count.

    `spent_class_ii` lists, per year of the recognition, the Class II items (among class_ii) already used in an
    earlier successful 高企 application: 科小 counts them, 高企 does not ("按Ⅱ类评价的知识产权在申请高新技术企业时，
    仅限使用一次", 工作指引; see pipeline/domain/ip.py). Counts without items have none spent.
    """

    class_i: int = 0
    class_ii: int = 0
    acquired_only: bool = False  # every item a 高企 application may count was obtained by transfer, gift or merger
    spent_class_ii: tuple[tuple[int, int], ...] = ()  # (year of the 高企 recognition, items), ascending

    @property
    def total(self) -> int:
        return self.class_i + self.class_ii

    @property
    def spent(self) -> int:
        """Class II items already used in a successful 高企 application."""
        return sum(count for _year, count in self.spent_class_ii)

    def for_hnte(self) -> "IpCounts":
        """The counts a new 高企 application may use: Class I all, Class II only the items not used before."""
        if not self.spent_class_ii:
            return self
        return IpCounts(self.class_i, self.class_ii - self.spent, self.acquired_only)


@dataclass(frozen=True, slots=True)
class Flags:
    """Disqualifying facts; all false when unknown."""

    restricted_industry: bool = False
    major_incident: bool = False
    dishonest_list: bool = False
    deemed_taxation: bool = False  # 核定征收 (the 2022 guide admits only 查账征收)
    excluded_industry: bool = False  # 财税〔2015〕119号: no R&D super-deduction for the industry


@dataclass(frozen=True, slots=True)
class Direct:
    """Direct qualifications for 科小."""

    valid_hnte: bool = False
    national_award_top3: bool = False
    provincial_rd_institution: bool = False
    led_standard: bool = False

    @property
    def any(self) -> bool:
        return self.valid_hnte or self.national_award_top3 or self.provincial_rd_institution or self.led_standard


@dataclass(frozen=True, slots=True)
class Expert:
    """Expert scores for the 高企 innovation capability; None = not scored yet."""

    advancement: int | None = None
    core_support: int | None = None
    acquisition: int | None = None
    standards: int | None = None
    rd_management: int | None = None


EXPERT_RANGES = {"advancement": 8, "core_support": 8, "acquisition": 6, "standards": 2, "rd_management": 20}


@dataclass(frozen=True)
class Profile:
    """Everything the engine needs about one firm at one evaluation date."""

    registered_on: date
    as_of: date
    years: dict[int, YearFigures]
    name: str = ""
    credit_code: str | None = None
    ip: IpCounts = field(default_factory=IpCounts)
    hnte_domain: str | None = None
    conversions_3y: int | None = None  # None = unknown, not zero
    flags: Flags = field(default_factory=Flags)
    direct: Direct = field(default_factory=Direct)
    expert: Expert = field(default_factory=Expert)

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def data_year(self) -> int:
        return self.as_of.year - 1

    @property
    def last(self) -> YearFigures:
        return self.years[self.data_year]


_INT_FIELDS = ("employees", "tech_staff")
SIGNED_AMOUNTS = ("net_assets",)  # a loss-making firm's net assets are negative and it is still evaluated
_AMOUNT_FIELDS = tuple(f.name for f in fields(YearFigures) if f.name not in _INT_FIELDS)
_TOP_FIELDS = {"name", "credit_code", "registered_on", "as_of", "years", "ip", "hnte_domain",
               "conversions_3y", "flags", "direct", "expert"}


def loads(text: str | bytes) -> Any:
    """Parse JSON keeping every number exact (floats become Decimal, NaN is refused)."""
    return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)


def _refuse_constant(name: str) -> Any:
    raise ProfileError("json", f"不允许 {name}", f"JSON constant {name} is not allowed")


def parse_profile(obj: Any) -> Profile:
    """Build a Profile from a decoded JSON object, raising ProfileError on any invalid field."""
    data = _mapping(obj, "profile", _TOP_FIELDS)
    as_of = _date(data.get("as_of"), "as_of")
    registered_on = _date(data.get("registered_on"), "registered_on")
    years = _years(data.get("years"), as_of.year - 1)
    if registered_on.year > as_of.year - 1:
        raise ProfileError("registered_on", f"成立日期 {registered_on} 晚于数据年度 {as_of.year - 1}",
                           f"registered after fiscal year {as_of.year - 1}")
    return Profile(
        registered_on=registered_on, as_of=as_of, years=years,
        name=_text(data.get("name"), "name") or "",
        credit_code=_credit_code(data.get("credit_code")),
        ip=_ip(data.get("ip")),
        hnte_domain=_text(data.get("hnte_domain"), "hnte_domain"),
        conversions_3y=_optional_count(data.get("conversions_3y"), "conversions_3y"),
        flags=Flags(**_bools(data.get("flags"), "flags", Flags)),
        direct=Direct(**_bools(data.get("direct"), "direct", Direct)),
        expert=Expert(**_expert(data.get("expert"))),
    )


def _mapping(value: Any, path: str, allowed: set[str] | None = None) -> dict:
    if not isinstance(value, dict):
        raise ProfileError(path, "应为 JSON 对象", f"expected an object, got {_kind(value)}")
    unknown = sorted(str(k) for k in value if allowed is not None and k not in allowed)
    if unknown:
        where = unknown[0] if path == "profile" else f"{path}.{unknown[0]}"
        raise ProfileError(where, "未知字段", "unknown field")
    return value


def _years(value: Any, data_year: int) -> dict[int, YearFigures]:
    raw = _mapping(value, "years")
    years = {}
    for key, figures in raw.items():
        if not _YEAR.fullmatch(str(key)):
            raise ProfileError(f"years.{key}", "年度应为四位数字", "year key must be 4 digits")
        years[int(key)] = _year_figures(figures, f"years.{key}")
    if data_year not in years:
        raise ProfileError(f"years.{data_year}", f"缺少数据年度 {data_year} 的数据",
                           f"missing figures for fiscal year {data_year}")
    return years


def _year_figures(value: Any, path: str) -> YearFigures:
    raw = dict(_mapping(value, path, set(_INT_FIELDS + _AMOUNT_FIELDS)))
    raw.setdefault("rd_domestic", raw.get("rd"))
    values: dict[str, Any] = {name: _count(raw.get(name), f"{path}.{name}") for name in _INT_FIELDS}
    values.update((name, _amount(raw.get(name), f"{path}.{name}", negative=name in SIGNED_AMOUNTS))
                  for name in _AMOUNT_FIELDS)
    figures = YearFigures(**values)
    _check_year(figures, path)
    return figures


def _check_year(y: YearFigures, path: str) -> None:
    if y.employees == 0:
        raise ProfileError(f"{path}.employees", "职工总数必须大于 0", "employees must be at least 1")
    if y.tech_staff > y.employees:
        raise ProfileError(f"{path}.tech_staff", f"科技人员 {y.tech_staff} 人多于职工总数 {y.employees} 人",
                           "tech staff cannot exceed employees")
    if y.rd_domestic > y.rd:
        raise ProfileError(f"{path}.rd_domestic", "境内研发费用不能大于研发费用总额",
                           "domestic R&D cannot exceed total R&D")
    if y.high_tech_revenue > y.total_revenue:
        raise ProfileError(f"{path}.high_tech_revenue", "高新技术产品(服务)收入不能大于总收入",
                           "high-tech revenue cannot exceed total revenue")


def _amount(value: Any, path: str, negative: bool = False) -> Decimal:
    """Return a finite Decimal (non-negative unless `negative`) from an int, Decimal or decimal string."""
    kind = type(value)  # exact types: bool is not an int here, and floats are refused
    if kind is Decimal or kind is int:
        amount = Decimal(value)
    elif kind is str:
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise ProfileError(path, f"{value!r} 不是数字", "not a decimal number") from None
    else:
        raise _wrong_number(value, path)
    if not amount.is_finite():
        raise ProfileError(path, "必须是有限数", "must be finite")
    if amount and (amount.adjusted() > MAX_MAGNITUDE or amount.as_tuple().exponent < -MAX_PLACES):
        # Exact arithmetic on 1E+999999 would build enormous integers: refuse such values up front.
        raise ProfileError(path, f"数值超出范围：{value}", "number out of range")
    if amount < 0 and not negative:
        raise ProfileError(path, f"不能为负数：{value}", "cannot be negative")
    return amount


def _wrong_number(value: Any, path: str) -> ProfileError:
    if value is None:
        return ProfileError(path, "缺少此项", "missing value")
    if isinstance(value, float):
        return ProfileError(path, "不接受二进制浮点数，请用十进制字符串或 loads() 解析 JSON",
                            "binary float refused: pass a decimal string or parse with loads()")
    return ProfileError(path, "应为数字或十进制字符串", f"must be a number or decimal string, got {_kind(value)}")


def _count(value: Any, path: str) -> int:
    amount = _amount(value, path)
    if amount != amount.to_integral_value():
        raise ProfileError(path, f"应为整数：{value}", "must be a whole number")
    return int(amount)


def _optional_count(value: Any, path: str) -> int | None:
    return None if value is None else _count(value, path)


def _ip(value: Any) -> IpCounts:
    raw = _mapping(value if value is not None else {}, "ip", {"class_i", "class_ii", "acquired_only"})
    counts = {name: _count(raw[name], f"ip.{name}") for name in ("class_i", "class_ii") if raw.get(name) is not None}
    acquired_only = _bool(raw.get("acquired_only"), "ip.acquired_only")
    return IpCounts(**counts, acquired_only=acquired_only)


def _bool(flag: Any, path: str) -> bool:
    if flag is not None and not isinstance(flag, bool):
        raise ProfileError(path, "应为 true 或 false", f"must be true or false, got {_kind(flag)}")
    return bool(flag)


def _bools(value: Any, path: str, cls: type) -> dict[str, bool]:
    names = {f.name for f in fields(cls)}
    raw = _mapping(value if value is not None else {}, path, names)
    return {name: _bool(flag, f"{path}.{name}") for name, flag in raw.items()}


def _expert(value: Any) -> dict[str, int]:
    raw = _mapping(value if value is not None else {}, "expert", set(EXPERT_RANGES))
    result = {}
    for name, score in raw.items():
        if score is None:
            continue
        result[name] = _count(score, f"expert.{name}")
        if result[name] > EXPERT_RANGES[name]:
            raise ProfileError(f"expert.{name}", f"专家评分应在 0–{EXPERT_RANGES[name]} 之间",
                               f"expert score must be 0..{EXPERT_RANGES[name]}")
    return result


def _date(value: Any, path: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ProfileError(path, "日期应为 YYYY-MM-DD", f"date must be YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ProfileError(path, f"日期不存在：{value}", "no such date") from None


def _text(value: Any, path: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ProfileError(path, "应为字符串", f"must be a string, got {_kind(value)}")
    return value.strip() if value is not None else None


def _credit_code(value: Any) -> str | None:
    code = _text(value, "credit_code")
    if not code:
        return None
    try:
        return validate_credit_code(code)
    except CreditCodeError as exc:
        raise ProfileError("credit_code", str(exc), "invalid unified social credit code") from None


def _kind(value: Any) -> str:
    return {bool: "boolean", list: "list", dict: "object", type(None): "null"}.get(
        type(value), type(value).__name__)
