"""Turn confirmed (official) figures into domain profiles and evaluate firms in bulk.

Nothing is cached: every call reads the figures as they are now, with a constant number of queries whatever the
number of firms (firms, years, facts, valid 高企 certificates, IP items), and evaluates in plain Python.

A firm's IP: from its IP items when it has any (ip_items.py says why they win), else the counts of its facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy import Select, func, or_, select

from pipeline.domain.deadlines import add_years
from pipeline.domain.eligibility import Evaluation, Gap, assess, gaps, track_gaps
from pipeline.domain.hnte import PERIOD_YEARS
from pipeline.domain.ip import IpItem as Item
from pipeline.domain.ip import IpKind, ip_counts
from pipeline.domain.profile import Direct, Expert, Flags, IpCounts, Profile, YearFigures
from pipeline.domain.stages import HOLDING, PROVINCIAL_LEVELS
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, StageMove, Track
from pipeline.funnel.queries import RD_INSTITUTION
from pipeline.i18n import quick_gettext as _
from pipeline.indicators.models import FirmFacts, FirmYear, IpItem, IpItemUse, Source
from pipeline.indicators.values import YEAR_FIELDS

EVALUATED_TRACKS = ("tech_sme", "hnte")  # the tracks the engine evaluates
FALLBACK_YEARS = 1  # without last year's figures, evaluate on the year before (shown as such)
CHUNK = 5000  # ids per IN (…) list: SQLite allows a limited number of bound parameters

FirmIds = Select | Collection[int]


class MissingFigures(ValueError):
    """The confirmed figures do not allow an evaluation; the message says what is missing, in Chinese."""


@dataclass
class FirmAssessment:
    """One firm's evaluation on a day, or the reason there is none."""

    firm_id: int
    today: date
    profile: Profile | None
    evaluation: Evaluation | None
    problem: str | None = None
    holdings: dict[str, date | None] = field(default_factory=dict)  # track code → expires_on of a valid status

    @property
    def ok(self) -> bool:
        return self.evaluation is not None

    @property
    def data_year(self) -> int | None:
        return self.profile.data_year if self.profile else None

    @property
    def stale(self) -> bool:
        """Evaluated on older figures because last year's are missing."""
        return self.profile is not None and self.profile.data_year < self.today.year - 1

    @cached_property
    def gaps(self) -> list[Gap]:
        return gaps(self.profile, self.evaluation) if self.ok else []

    def gaps_for(self, track_code: str) -> list[Gap]:
        if "gaps" in self.__dict__ or not self.ok:  # both tracks' gaps are known already (or there are none)
            return [gap for gap in self.gaps if gap.track == track_code]
        return track_gaps(self.profile, self.evaluation, track_code)


def build_profile(firm: Firm, as_of: date) -> Profile:
    """Build the domain profile of a firm on a date from its confirmed figures, or raise MissingFigures."""
    data = _load([firm.id], as_of.year - 1 - PERIOD_YEARS, as_of.year - 1, as_of)
    return _profile(firm.id, firm.registered_on, data, as_of)


def evaluate_firm(firm: Firm, today: date) -> FirmAssessment:
    """Evaluate one firm on its latest confirmed figures (last year's, else the year before)."""
    return assess_firms([firm.id], today)[firm.id]


def assess_firms(firm_ids: FirmIds, today: date) -> dict[int, FirmAssessment]:
    """Evaluate many firms (a list of ids or a SELECT of Firm.id) with five queries; keyed by firm id."""
    last = today.year - 1
    data = _load(firm_ids, last - FALLBACK_YEARS - PERIOD_YEARS, last, today)
    return {firm_id: _assess(firm_id, registered_on, data, today)
            for firm_id, registered_on in data.firms.items()}


def profiles_of(firm_ids: FirmIds, today: date) -> dict[int, Profile]:
    """The profiles of many firms as assess_firms() builds them, without evaluating them (policy matching reads
    figures only: evaluating both tracks would be most of its time at 100,000 firms); firms without one are left out."""
    last = today.year - 1
    data = _load(firm_ids, last - FALLBACK_YEARS - PERIOD_YEARS, last, today)
    profiles = {}
    for firm_id, registered_on in data.firms.items():
        try:
            profiles[firm_id] = _profile(firm_id, registered_on, data, _as_of(data.years.get(firm_id, {}), today))
        except MissingFigures:
            continue
    return profiles


@dataclass
class _Loaded:
    firms: dict[int, date | None]
    years: dict[int, dict[int, YearFigures]]
    facts: dict[int, tuple]
    holdings: dict[int, dict[str, date | None]]
    provincial_rd: set[int] = field(default_factory=set)  # firms holding a valid 省级+ 研发机构 (the 科小 direct route)
    ip_items: dict[int, list[Item]] = field(default_factory=lambda: defaultdict(list))


def _load(firm_ids: FirmIds, first_year: int, last_year: int, today: date) -> _Loaded:
    data = _Loaded({}, defaultdict(dict), {}, defaultdict(dict))
    year_cols = [getattr(FirmYear, name) for name in YEAR_FIELDS]
    for ids in _chunks(firm_ids):
        data.firms.update(db.session.execute(select(Firm.id, Firm.registered_on).where(Firm.id.in_(ids))).all())
        rows = db.session.execute(select(FirmYear.firm_id, FirmYear.fiscal_year, *year_cols).where(
            FirmYear.source == Source.OFFICIAL.value, FirmYear.fiscal_year.between(first_year, last_year),
            FirmYear.firm_id.in_(ids)))
        for firm_id, year, *values in rows:
            data.years[firm_id][year] = YearFigures(*values)
        data.facts.update((row[0], row[1:]) for row in db.session.execute(select(
            FirmFacts.firm_id, *_FACT_COLUMNS).where(FirmFacts.source == Source.OFFICIAL.value,
                                                     FirmFacts.firm_id.in_(ids))))
        for firm_id, code, expires_on, level in db.session.execute(select(
                FirmTrack.firm_id, Track.code, FirmTrack.expires_on, FirmTrack.level).join(Track).where(
                Track.code.in_((*EVALUATED_TRACKS, RD_INSTITUTION)), FirmTrack.stage.in_(list(HOLDING)),
                or_(FirmTrack.expires_on.is_(None), FirmTrack.expires_on >= today), FirmTrack.firm_id.in_(ids))):
            if code != RD_INSTITUTION:
                data.holdings[firm_id][code] = expires_on
            elif level in PROVINCIAL_LEVELS:  # a valid 省级+ 企业研发机构 is the 科小 direct route (issue 16)
                data.provincial_rd.add(firm_id)
        for firm_id, kind, granted_on, acquired, used_on in db.session.execute(select(
                IpItem.firm_id, IpItem.kind, IpItem.granted_on, IpItem.acquired, _FIRST_USE).where(
                IpItem.firm_id.in_(ids))):
            data.ip_items[firm_id].append(Item(IpKind(kind), granted_on, acquired, used_on))
    return data


# The issue date of the first successful 高企 application that used an item (NULL: none).
_FIRST_USE = (select(func.min(StageMove.issued_on)).join(IpItemUse, IpItemUse.stage_move_id == StageMove.id)
              .where(IpItemUse.ip_item_id == IpItem.id).correlate(IpItem).scalar_subquery())


def _chunks(firm_ids: FirmIds) -> Iterator:
    if isinstance(firm_ids, Select):
        yield firm_ids
        return
    ids = list(firm_ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


_FACT_COLUMNS = (
    FirmFacts.ip_class_i, FirmFacts.ip_class_ii, FirmFacts.ip_acquired_only, FirmFacts.hnte_domain,
    FirmFacts.conversions_3y, FirmFacts.valid_hnte, FirmFacts.national_award_top3, FirmFacts.provincial_rd_institution,
    FirmFacts.led_standard, FirmFacts.restricted_industry, FirmFacts.major_incident, FirmFacts.dishonest_list,
    FirmFacts.deemed_taxation, FirmFacts.excluded_industry, FirmFacts.expert_advancement,
    FirmFacts.expert_core_support, FirmFacts.expert_acquisition,
    FirmFacts.expert_standards, FirmFacts.expert_rd_management,
)


def _assess(firm_id: int, registered_on: date | None, data: _Loaded, today: date) -> FirmAssessment:
    holdings = dict(data.holdings.get(firm_id, {}))
    try:
        profile = _profile(firm_id, registered_on, data, _as_of(data.years.get(firm_id, {}), today))
    except MissingFigures as exc:
        return FirmAssessment(firm_id, today, None, None, str(exc), holdings)
    return FirmAssessment(firm_id, today, profile, assess(profile), holdings=holdings)


def _as_of(years: dict, today: date) -> date:
    """Today, or the same day of an earlier year when only older figures exist (at most FALLBACK_YEARS back)."""
    if today.year - 1 not in years:
        back = next((b for b in range(1, FALLBACK_YEARS + 1) if today.year - 1 - b in years), 0)
        return add_years(today, -back)
    return today


def _profile(firm_id: int, registered_on: date | None, data: _Loaded, as_of: date) -> Profile:
    years = data.years.get(firm_id, {})
    if registered_on is None:
        raise MissingFigures(_("缺少企业成立日期，无法评价。"))
    if as_of.year - 1 not in years:
        raise MissingFigures(_("缺少 %(year)s 年度的已核实指标，无法评价。", year=as_of.year - 1))
    if registered_on.year > as_of.year - 1:
        raise MissingFigures(_("企业成立于 %(year)s 年，晚于数据年度。", year=registered_on.year))
    facts = _facts(data.facts.get(firm_id), "hnte" in data.holdings.get(firm_id, {}), firm_id in data.provincial_rd)
    if items := data.ip_items.get(firm_id):
        facts["ip"] = ip_counts(items, as_of)  # the items win over the facts' counts
    return Profile(registered_on=registered_on, as_of=as_of, years=dict(years), **facts)


def _facts(row: tuple | None, certified_hnte: bool, provincial_rd: bool = False) -> dict:
    if row is None:
        return {"direct": Direct(valid_hnte=certified_hnte, provincial_rd_institution=provincial_rd)}
    (class_i, class_ii, acquired_only, domain, conversions, valid_hnte, award, institution, standard,
     restricted, incident, dishonest, deemed, excluded, *expert) = row
    return {
        "ip": IpCounts(class_i or 0, class_ii or 0, bool(acquired_only)), "hnte_domain": domain,
        "conversions_3y": conversions,
        "direct": Direct(bool(valid_hnte) or certified_hnte, bool(award), bool(institution) or provincial_rd,
                         bool(standard)),
        "flags": Flags(bool(restricted), bool(incident), bool(dishonest), bool(deemed), bool(excluded)),
        "expert": Expert(*expert),
    }
