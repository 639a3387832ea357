"""高企 innovation-capability score as [min, max] ranges (RULES §2, 创新能力评价)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from pipeline.domain.exact import band, ratio
from pipeline.domain.profile import IpCounts, Profile

Range = tuple[int, int]
PASS_SCORE = 71
IP_CAP = 30

CONVERSION_BANDS = ((Fraction(5), (25, 30)), (Fraction(4), (19, 24)), (Fraction(3), (13, 18)),
                    (Fraction(2), (7, 12)), (Fraction(1), (1, 6)))
GROWTH_BANDS = tuple((Fraction(pct, 100), pts) for pct, pts in ((35, (9, 10)), (25, (7, 8)), (15, (5, 6)),
                                                              (5, (3, 4))))
POSITIVE_GROWTH = (1, 2)
ZERO: Range = (0, 0)
CONVERSION_UNKNOWN: Range = (0, 30)
GROWTH_UNKNOWN: Range = (0, 20)
ACQUISITION_BAND: Range = (1, 6)
ACQUIRED_ONLY_BAND: Range = (1, 3)  # every item obtained by transfer, gift or merger


@dataclass(frozen=True, slots=True)
class Innovation:
    """Innovation score range with its four parts; growth rates kept for display (None = 0 points by rule)."""

    ip: Range
    conversion: Range
    rd_management: Range
    growth: Range
    net_assets_growth: Fraction | None
    sales_growth: Fraction | None

    @property
    def min(self) -> int:
        return self.ip[0] + self.conversion[0] + self.rd_management[0] + self.growth[0]

    @property
    def max(self) -> int:
        return self.ip[1] + self.conversion[1] + self.rd_management[1] + self.growth[1]


def expert_range(score: int | None, top: int, bottom: int = 0) -> Range:
    """Return the expert score clamped into bottom..top, or that whole range when none was given."""
    if score is None:
        return (bottom, top)
    clamped = min(max(score, bottom), top)
    return (clamped, clamped)


def acquisition_range(ip: IpCounts, score: int | None) -> Range:
    """Return the acquisition part: 1–6 with any IP, 1–3 when all of it was acquired, 0 without IP."""
    if not ip.total:
        return ZERO
    bottom, top = ACQUIRED_ONLY_BAND if ip.acquired_only else ACQUISITION_BAND
    return expert_range(score, top, bottom)


def quantity_range(class_i: int, class_ii: int) -> Range:
    """Return the IP-quantity range from the counts of Class I and Class II IP."""
    if class_i >= 1:
        return (7, 8)
    for count, pts in ((5, (5, 6)), (3, (3, 4)), (1, (1, 2))):
        if class_ii >= count:
            return pts
    return ZERO


def ip_range(profile: Profile, ip: IpCounts | None = None) -> Range:
    """Return the IP part (cap 30): advancement, core support, quantity, acquisition, standards.

    `ip` defaults to the counts a 高企 application may use (Class II used in an earlier recognition left out)."""
    expert, ip = profile.expert, profile.ip.for_hnte() if ip is None else ip
    parts = (
        expert_range(expert.advancement, 8),
        expert_range(expert.core_support, 8),
        quantity_range(ip.class_i, ip.class_ii),
        acquisition_range(ip, expert.acquisition),
        expert_range(expert.standards, 2),
    )
    return (min(sum(p[0] for p in parts), IP_CAP), min(sum(p[1] for p in parts), IP_CAP))


def conversion_range(conversions: int | None, fiscal_years: int) -> Range:
    """Return the conversion part from the yearly average over the period; unknown conversions give [0, 30]."""
    if conversions is None:
        return CONVERSION_UNKNOWN
    return band(Fraction(conversions, fiscal_years), CONVERSION_BANDS, ZERO)


def growth_rate(values: Sequence[Decimal]) -> Fraction | None:
    """Return the growth rate over one to three yearly values, or None where the rules give 0 points.

    Net assets may be negative: a non-positive latest or middle year scores 0; a non-positive first year of
    three leaves the last two years' rate.
    """
    if len(values) == 3:
        y1, y2, y3 = values
        if y2 <= 0 or y3 <= 0:
            return None
        return ratio(y3, y2) - 1 if y1 <= 0 else (ratio(y2, y1) + ratio(y3, y2)) / 2 - 1
    if len(values) == 2:
        y1, y2 = values
        return None if y1 <= 0 or y2 <= 0 else ratio(y2, y1) - 1
    return None


def growth_band(rate: Fraction | None) -> Range:
    """Return the 0–10 range of one growth rate."""
    if rate is None or rate <= 0:
        return ZERO
    return band(rate, GROWTH_BANDS, POSITIVE_GROWTH)


def innovation(profile: Profile, period: Sequence[int], complete: bool = True) -> Innovation:
    """Return the innovation score ranges over the period; with a year missing, conversion and growth are open."""
    ip, rd_management = ip_range(profile), expert_range(profile.expert.rd_management, 20)
    if not complete:
        return Innovation(ip, CONVERSION_UNKNOWN, rd_management, GROWTH_UNKNOWN, None, None)
    figures = [profile.years[y] for y in period]
    net = growth_rate([f.net_assets for f in figures])
    sales = growth_rate([f.sales for f in figures])
    net_range, sales_range = growth_band(net), growth_band(sales)
    return Innovation(
        ip=ip, conversion=conversion_range(profile.conversions_3y, len(period)), rd_management=rd_management,
        growth=(net_range[0] + sales_range[0], net_range[1] + sales_range[1]),
        net_assets_growth=net, sales_growth=sales,
    )
