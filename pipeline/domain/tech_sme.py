"""科技型中小企业 (科小) evaluation: basic conditions, the 100-point score and direct routes (RULES §1)."""

from dataclasses import dataclass
from fractions import Fraction

from pipeline.domain.exact import band, ratio
from pipeline.domain.profile import IpCounts, Profile

MAX_EMPLOYEES = 500
MAX_SALES = 20000
MAX_TOTAL_ASSETS = 20000
PASS_SCORE = 60

TECH_STAFF_BANDS = tuple((Fraction(pct, 100), pts) for pct, pts in ((30, 20), (25, 16), (20, 12), (15, 8), (10, 4)))
RD_SALES_BANDS = tuple((Fraction(pct, 100), pts) for pct, pts in ((6, 50), (5, 40), (4, 30), (3, 20), (2, 10)))
RD_COST_BANDS = tuple((Fraction(pct, 100), pts) for pct, pts in ((30, 50), (25, 40), (20, 30), (15, 20), (10, 10)))
CLASS_II_BANDS = ((4, 24), (3, 18), (2, 12), (1, 6))
CLASS_I_POINTS = 30

BASIC_IDS = ("employees", "sales", "total_assets", "restricted_industry", "major_incident", "dishonest_list",
             "deemed_taxation", "excluded_industry")
# Facts that rule a firm out whatever its figures (一票否决): never a "near miss".
VETO_IDS = ("restricted_industry", "major_incident", "dishonest_list", "deemed_taxation", "excluded_industry")


@dataclass(frozen=True, slots=True)
class Points:
    """The three score components."""

    tech_staff: int
    rd: int
    ip: int

    @property
    def total(self) -> int:
        return self.tech_staff + self.rd + self.ip


@dataclass(frozen=True, slots=True)
class TechSmeResult:
    """Outcome of a 科小 evaluation in year `year` on the figures of `data_year`."""

    year: int
    data_year: int
    eligible: bool
    route: str | None
    points: Points
    failed: tuple[str, ...]
    tech_staff_ratio: Fraction
    rd_sales_ratio: Fraction | None
    rd_cost_ratio: Fraction | None

    @property
    def score(self) -> int:
        return self.points.total


def tech_staff_points(share: Fraction) -> int:
    """Return the tech-staff points for the share tech staff ÷ employees."""
    return band(share, TECH_STAFF_BANDS, 0)


def rd_points(rd_sales: Fraction | None, rd_cost: Fraction | None) -> int:
    """Return the R&D points: the better of R&D ÷ sales and R&D ÷ cost expense (None = not measurable)."""
    return max(band(rd_sales, RD_SALES_BANDS, 0), band(rd_cost, RD_COST_BANDS, 0))


def ip_points(ip: IpCounts) -> int:
    """Return the IP points: 30 for any Class I, else by the number of Class II."""
    if ip.class_i >= 1:
        return CLASS_I_POINTS
    return next((pts for count, pts in CLASS_II_BANDS if ip.class_ii >= count), 0)


def failed_basics(profile: Profile) -> tuple[str, ...]:
    """Return the ids of the basic conditions the firm does not meet."""
    y, flags = profile.last, profile.flags
    checks = {
        "employees": y.employees <= MAX_EMPLOYEES,
        "sales": y.sales <= MAX_SALES,
        "total_assets": y.total_assets <= MAX_TOTAL_ASSETS,
        "restricted_industry": not flags.restricted_industry,
        "major_incident": not flags.major_incident,
        "dishonest_list": not flags.dishonest_list,
        "deemed_taxation": not flags.deemed_taxation,
        "excluded_industry": not flags.excluded_industry,
    }
    return tuple(cid for cid in BASIC_IDS if not checks[cid])


def qualifies_by_score(points: Points) -> bool:
    """Return whether the score route holds: ≥ 60 points with some tech-staff points."""
    return points.total >= PASS_SCORE and points.tech_staff > 0


def evaluate_tech_sme(profile: Profile) -> TechSmeResult:
    """Evaluate the 科小 conditions on the figures of the year before the evaluation year."""
    y = profile.last
    tech, rd_sales, rd_cost = ratio(y.tech_staff, y.employees), ratio(y.rd, y.sales), ratio(y.rd, y.cost_expense)
    points = Points(tech_staff_points(tech), rd_points(rd_sales, rd_cost), ip_points(profile.ip))
    failed = failed_basics(profile)
    route = None
    if not failed:
        route = "direct" if profile.direct.any else "score" if qualifies_by_score(points) else None
        failed = () if route else ("score",)
    return TechSmeResult(
        year=profile.year, data_year=profile.data_year, eligible=route is not None, route=route, points=points,
        failed=failed, tech_staff_ratio=tech, rd_sales_ratio=rd_sales, rd_cost_ratio=rd_cost,
    )
