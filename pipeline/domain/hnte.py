"""高新技术企业 (高企) evaluation: the nine conditions and the verdict (RULES §2)."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pipeline.domain.deadlines import one_year_before
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
    """Outcome of a 高企 evaluation: verdict 'pass' | 'possible' | 'fail'."""

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


def period_bounds(profile: Profile) -> range:
    """Return the fiscal years the application should cover: Y−3..Y−1, not before registration."""
    return range(max(profile.year - PERIOD_YEARS, profile.registered_on.year), profile.data_year + 1)


def hnte_period(profile: Profile) -> tuple[int, ...]:
    """Return the contiguous run of present fiscal years that ends at Y−1 within the bounds."""
    years = []
    for year in reversed(period_bounds(profile)):
        if year not in profile.years:
            break
        years.append(year)
    return tuple(reversed(years))


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


def _registered(profile: Profile) -> Condition:
    latest = one_year_before(profile.as_of)
    return Condition("registered_1y", profile.registered_on <= latest, profile.registered_on.isoformat(),
                     latest.isoformat(), "<=")


def _conditions(profile: Profile, period: tuple[int, ...]) -> list[Condition]:
    y, sums = profile.last, period_sums(profile, period)
    return [
        _registered(profile),
        Condition("core_ip", profile.ip.total >= 1, str(profile.ip.total), "1", ">="),
        Condition("domain", profile.hnte_domain in DOMAINS, profile.hnte_domain, None, "in"),
        _share("tech_staff_ratio", ratio(y.tech_staff, y.employees), TECH_STAFF_MIN),
        _share("rd_ratio", ratio(sums.rd, sums.sales), rd_ratio_threshold(y.sales)),
        _share("rd_domestic_share", ratio(sums.rd_domestic, sums.rd), RD_DOMESTIC_MIN),
        _share("high_tech_revenue_share", ratio(y.high_tech_revenue, y.total_revenue), HIGH_TECH_REVENUE_MIN),
        Condition("no_major_incident", not profile.flags.major_incident,
                  str(int(profile.flags.major_incident)), "0", "<="),
    ]


def _score_condition(score: Innovation) -> Condition:
    passed = True if score.min >= PASS_SCORE else False if score.max < PASS_SCORE else None
    return Condition("innovation_score", passed, f"{score.min}-{score.max}", str(PASS_SCORE), ">=")


def evaluate_hnte(profile: Profile) -> HnteResult:
    """Evaluate the 高企 conditions over the last three fiscal years (fewer for young firms)."""
    period = hnte_period(profile)
    score = innovation(profile, period)
    conditions = [*_conditions(profile, period), _score_condition(score)]
    failed = tuple(c.id for c in conditions if c.passed is False)
    verdict = "fail" if failed else "pass" if score.min >= PASS_SCORE else "possible"
    return HnteResult(
        verdict=verdict, failed=failed, conditions={c.id: c for c in conditions}, innovation=score,
        period=period, missing_years=tuple(y for y in period_bounds(profile) if y not in period),
    )
