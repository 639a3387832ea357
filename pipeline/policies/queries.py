"""Reading policies, matches and the ledger, always within what the user may see (a firm: its own firm only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import abort
from sqlalchemy import Select, func, select

from pipeline.auth.models import Role, User
from pipeline.auth.permissions import can_see_firm, visible_town_ids
from pipeline.db import utcnow
from pipeline.domain.gaps import Gap
from pipeline.domain.policy import NEAR, PAID, QUALIFIED, match_policy
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import Track
from pipeline.funnel.services import local_today
from pipeline.policies.conditions import load_conditions
from pipeline.policies.matching import PUBLISHED, firm_standings, live_policies
from pipeline.policies.models import Incentive, Policy, PolicyMatch
from pipeline.web import MAX_ID

MATCH_LIST_LIMIT = 500


def get_policy_or_404(policy_id: int, for_user: User) -> Policy:
    """A policy: staff see every one, a firm only published ones."""
    policy = db.session.get(Policy, policy_id) if 0 < policy_id <= MAX_ID else None
    if policy is None or (for_user.role is Role.FIRM and policy.status != PUBLISHED):
        abort(404)
    return policy


def get_incentive_or_404(incentive_id: int, for_user: User) -> Incentive:
    incentive = db.session.get(Incentive, incentive_id) if 0 < incentive_id <= MAX_ID else None
    if incentive is None or not can_see_firm(for_user, incentive.firm):
        abort(404)
    return incentive


def list_policies() -> list[tuple[Policy, int, int]]:
    """Every policy with its numbers of qualified and near firms, newest first."""
    counts = {(policy_id, status): n for policy_id, status, n in db.session.execute(
        select(PolicyMatch.policy_id, PolicyMatch.status, func.count()).group_by(PolicyMatch.policy_id,
                                                                                 PolicyMatch.status))}
    policies = db.session.scalars(select(Policy).order_by(Policy.effective_from.desc(), Policy.id.desc()))
    return [(p, counts.get((p.id, QUALIFIED), 0), counts.get((p.id, NEAR), 0)) for p in policies]


@dataclass
class MatchedFirm:
    match: PolicyMatch
    firm: Firm
    gaps: tuple[Gap, ...]


def matched_firms(policy: Policy, user: User, status: str) -> tuple[list[MatchedFirm], int]:
    """The firms of one status the user may see (first MATCH_LIST_LIMIT by name) with their gaps, and their count."""
    query = select(PolicyMatch, Firm).join(Firm).where(PolicyMatch.policy_id == policy.id,
                                                       PolicyMatch.status == status)
    towns = visible_town_ids(user)
    if towns is not None:
        query = query.where(Firm.town_id.in_(towns))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(Firm.name, Firm.id).limit(MATCH_LIST_LIMIT)).all()
    gaps = {}
    if status == NEAR and rows:
        today = local_today_now()
        conditions = load_conditions(policy.conditions)
        for firm_id, standing in firm_standings([firm.id for _m, firm in rows], today).items():
            gaps[firm_id] = match_policy(conditions, standing, today.year).gaps
    return [MatchedFirm(m, f, gaps.get(f.id, ())) for m, f in rows], total


def local_today_now():
    return local_today(utcnow())


@dataclass
class FirmPolicy:
    policy: Policy
    status: str
    gaps: tuple[Gap, ...]


def firm_policies(firm: Firm) -> list[FirmPolicy]:
    """The live policies a firm qualifies or nearly qualifies for, computed now, qualified first."""
    today = local_today_now()
    standing = firm_standings([firm.id], today)[firm.id]
    found = []
    for policy in live_policies(today):
        result = match_policy(load_conditions(policy.conditions), standing, today.year)
        if result.status in (QUALIFIED, NEAR):
            found.append(FirmPolicy(policy, result.status, result.gaps))
    return sorted(found, key=lambda p: (p.status != QUALIFIED, -p.policy.id))


def firm_policy(firm: Firm, policy: Policy) -> FirmPolicy:
    """One policy for the firm: qualified, near or none, with the gaps."""
    today = local_today_now()
    standing = firm_standings([firm.id], today)[firm.id]
    result = match_policy(load_conditions(policy.conditions), standing, today.year)
    return FirmPolicy(policy, result.status, result.gaps)


def find_match(policy_id: int, firm_id: int) -> PolicyMatch | None:
    return db.session.scalar(select(PolicyMatch).where(PolicyMatch.policy_id == policy_id,
                                                       PolicyMatch.firm_id == firm_id))


def list_incentives(user: User, **filters) -> list[Incentive]:
    """Ledger rows the user may see, newest first."""
    return list(db.session.scalars(incentives_query(user, **filters)))


def incentives_query(user: User, *, year: int | None = None, status: str | None = None,
                     policy_id: int | None = None, firm_id: int | None = None) -> Select:
    """The SELECT of list_incentives (the export streams it)."""
    query = select(Incentive).join(Firm)
    towns = visible_town_ids(user) if user.role is not Role.FIRM else None
    if user.role is Role.FIRM:
        query = query.where(Incentive.firm_id == user.firm_id)
    elif towns is not None:
        query = query.where(Firm.town_id.in_(towns))
    for column, value in ((Incentive.year, year), (Incentive.status, status), (Incentive.policy_id, policy_id),
                          (Incentive.firm_id, firm_id)):
        if value is not None:
            query = query.where(column == value)
    return query.order_by(Incentive.year.desc(), Incentive.updated_at.desc(), Incentive.id.desc())


@dataclass(frozen=True)
class PaidTable:
    """Incentives paid in a year: rows by town, columns by track, sums exact (万元)."""

    tracks: list[tuple[int | None, str]]
    rows: list[tuple[str, dict[int | None, Decimal], Decimal]]
    column_totals: dict[int | None, Decimal]
    total: Decimal


def paid_by_track_and_town(year: int, town_ids: set[int] | None = None, until: date | None = None) -> PaidTable:
    """The incentives paid in `year` (by payment date, up to `until` if given) by town and track, in one statement."""
    query = (select(Town.name, Town.sort_order, Incentive.track_id, Track.name, func.sum(Incentive.paid_amount))
             .select_from(Incentive).join(Firm, Firm.id == Incentive.firm_id).join(Town, Town.id == Firm.town_id)
             .outerjoin(Track, Track.id == Incentive.track_id)
             .where(Incentive.status == PAID, Incentive.paid_on.between(date(year, 1, 1), until or date(year, 12, 31)))
             .group_by(Town.name, Town.sort_order, Incentive.track_id, Track.name))
    if town_ids is not None:
        query = query.where(Firm.town_id.in_(town_ids))
    cells: dict[tuple[int, str], dict[int | None, Decimal]] = {}
    names: dict[int | None, str] = {}
    for town, order, track_id, track, amount in db.session.execute(query):
        cells.setdefault((order, town), {})[track_id] = Decimal(amount)
        names[track_id] = track or ""
    used = sorted(names, key=lambda t: (t is None, t or 0))
    rows = [(town, row, sum(row.values(), Decimal(0))) for (_order, town), row in sorted(cells.items())]
    column_totals = {t: sum((row.get(t, Decimal(0)) for _n, row, _s in rows), Decimal(0)) for t in used}
    return PaidTable([(t, names[t]) for t in used], rows, column_totals, sum(column_totals.values(), Decimal(0)))


def incentives_paid_this_year() -> tuple[int, PaidTable]:
    """The dashboard's 奖补兑现 block: this year's payments in the towns the user sees (a template global)."""
    from flask_login import current_user

    year = local_today_now().year
    return year, paid_by_track_and_town(year, visible_town_ids(current_user))
