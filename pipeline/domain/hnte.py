"""高新技术企业 (高企) evaluation: the nine conditions and the verdict (RULES §2)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from pipeline.domain.exact import at_least, ratio, ratio_str
from pipeline.domain.innovation import PASS_SCORE, Innovation, innovation
from pipeline.domain.profile import Profile

DOMAINS = ("电子信息", "生物与新医药", "航空航天", "新材料", "高技术服务", "新能源与节能", "资源与环境",
           "先进制造与自动化")
TECH_STAFF_MIN = Decimal("0.10")
RD_DOMESTIC_MIN = Decimal("0.60")
HIGH_TECH_REVENUE_MIN = Decimal("0.60")
RD_RATIO_BANDS = ((Decimal(5000), Decimal("0.05")), (Decimal(20000), Decimal("0.04")))
RD_RATIO_ABOVE = Decimal("0.03")
PERIOD_YEARS = 3
REGISTERED_DAYS = 365  # 注册成立365个日历天数以上 (工作指引), not "the same date next year"


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition: pass (None = undecided), value and threshold as strings, and how they compare."""

    id: str
    passed: bool | None
    value: str | None
    threshold: str | None
    op: str


@dataclass(frozen=True, slots=True)
class HnteResult:
    """Outcome of a 高企 evaluation: verdict 'pass' | 'possible' | 'undetermined' | 'fail'."""

    verdict: str
    failed: tuple[str, ...]
    conditions: dict[str, Condition]
    innovation: Innovation
    period: tuple[int, ...]
    missing_years: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PeriodSums:
    """Sums over the period used by the R&D conditions."""

    rd: Decimal
    rd_domestic: Decimal
    sales: Decimal


def hnte_period(profile: Profile) -> tuple[int, ...]:
    """Return the fiscal years the application covers, fixed by the firm's age: Y−3..Y−1, not before registration."""
    return tuple(range(max(profile.year - PERIOD_YEARS, profile.registered_on.year), profile.data_year + 1))


def missing_years(profile: Profile) -> tuple[int, ...]:
    """Return the fiscal years of the period whose figures the profile lacks (ascending)."""
    return tuple(year for year in hnte_period(profile) if year not in profile.years)


def registered_by(as_of: date) -> date:
    """Return the latest registration date that is 365 calendar days old on as_of."""
    return as_of - timedelta(days=REGISTERED_DAYS)


def period_sums(profile: Profile, period: tuple[int, ...]) -> PeriodSums:
    """Return Σ R&D, Σ domestic R&D and Σ sales over the period."""
    figures = [profile.years[y] for y in period]
    return PeriodSums(sum((f.rd for f in figures), Decimal(0)), sum((f.rd_domestic for f in figures), Decimal(0)),
                      sum((f.sales for f in figures), Decimal(0)))


def rd_ratio_threshold(sales_last_year: Decimal) -> Decimal:
    """Return the minimum R&D ÷ sales ratio for the sales band of year Y−1."""
    return next((minimum for ceiling, minimum in RD_RATIO_BANDS if sales_last_year <= ceiling), RD_RATIO_ABOVE)


def _share(cid: str, value: Fraction | None, minimum: Decimal) -> Condition:
    return Condition(cid, at_least(value, minimum), ratio_str(value), str(minimum), ">=")


def _unknown_share(cid: str, minimum: Decimal) -> Condition:
    return Condition(cid, None, None, str(minimum), ">=")


def _registered(profile: Profile) -> Condition:
    latest = registered_by(profile.as_of)
    return Condition("registered_1y", profile.registered_on <= latest, profile.registered_on.isoformat(),
                     latest.isoformat(), "<=")


def _period_conditions(profile: Profile, period: tuple[int, ...], complete: bool) -> list[Condition]:
    """The two conditions summed over the period: unknown (pass null) when a year of it is missing."""
    rd_minimum = rd_ratio_threshold(profile.last.sales)
    if not complete:
        return [_unknown_share("rd_ratio", rd_minimum), _unknown_share("rd_domestic_share", RD_DOMESTIC_MIN)]
    sums = period_sums(profile, period)
    return [_share("rd_ratio", ratio(sums.rd, sums.sales), rd_minimum),
            _share("rd_domestic_share", ratio(sums.rd_domestic, sums.rd), RD_DOMESTIC_MIN)]


def _conditions(profile: Profile, period: tuple[int, ...], complete: bool) -> list[Condition]:
    y, ip = profile.last, profile.ip.for_hnte()  # Class II used in an earlier recognition no longer counts
    return [
        _registered(profile),
        Condition("core_ip", ip.total >= 1, str(ip.total), "1", ">="),
        Condition("domain", profile.hnte_domain in DOMAINS, profile.hnte_domain, None, "in"),
        _share("tech_staff_ratio", ratio(y.tech_staff, y.employees), TECH_STAFF_MIN),
        *_period_conditions(profile, period, complete),
        _share("high_tech_revenue_share", ratio(y.high_tech_revenue, y.total_revenue), HIGH_TECH_REVENUE_MIN),
        Condition("no_major_incident", not profile.flags.major_incident,
                  str(int(profile.flags.major_incident)), "0", "<="),
    ]


def _score_condition(score: Innovation) -> Condition:
    passed = True if score.min >= PASS_SCORE else False if score.max < PASS_SCORE else None
    return Condition("innovation_score", passed, f"{score.min}-{score.max}", str(PASS_SCORE), ">=")


def _verdict(conditions: list[Condition], missing: tuple[int, ...]) -> str:
    if any(c.passed is False for c in conditions):
        return "fail"  # innovation_score is False when even the maximum is below 71
    if missing:
        return "undetermined"
    return "pass" if all(c.passed for c in conditions) else "possible"


def evaluate_hnte(profile: Profile) -> HnteResult:
    """Evaluate the 高企 conditions over the period fixed by the firm's age; missing years leave it undetermined."""
    period, missing = hnte_period(profile), missing_years(profile)
    score = innovation(profile, period, complete=not missing)
    conditions = [*_conditions(profile, period, complete=not missing), _score_condition(score)]
    return HnteResult(
        verdict=_verdict(conditions, missing), failed=tuple(c.id for c in conditions if c.passed is False),
        conditions={c.id: c for c in conditions}, innovation=score, period=period, missing_years=missing,
    )
