"""Matching published policies to firms: when a policy is published, and when a firm's stage, figures or facts change
(receivers.py, inside the same transaction as the change). Each firm gets a row per policy it qualifies or nearly
qualifies for; a row whose firm no longer does is kept with status 'none' (so its notice is never sent again).

A first-time-recognition reward (首次认定高企奖励) is proposed in the ledger for every firm that qualifies for it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import Select, insert, or_, select, update

from pipeline.domain.policy import NEAR, NONE, QUALIFIED, FirmStanding, PolicyConditions, match_policy
from pipeline.domain.stages import EntryClass, Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import FirmTrack, StageMove, Track
from pipeline.funnel.services import local_today
from pipeline.indicators.assessment import profiles_of
from pipeline.policies.conditions import load_conditions
from pipeline.policies.models import Policy, PolicyMatch

PUBLISHED = "published"
CHUNK = 5000

FirmIds = Select | Collection[int]


def firm_standings(firm_ids: FirmIds, today: date, *, with_figures: bool = True) -> dict[int, FirmStanding]:
    """What matching needs of each firm (a list of ids or a SELECT of Firm.id), in five queries whatever the count."""
    firms = db.session.execute(select(Firm.id, Firm.town_id, Firm.industry_id).where(Firm.id.in_(firm_ids))).all()
    stages: dict[int, dict[str, str]] = defaultdict(dict)
    for firm_id, code, stage in db.session.execute(select(FirmTrack.firm_id, Track.code, FirmTrack.stage)
                                                   .join(Track).where(FirmTrack.firm_id.in_(firm_ids))):
        stages[firm_id][code] = Stage(stage).value
    first: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for firm_id, code, issued_on, moved_at in db.session.execute(
            select(StageMove.firm_id, Track.code, StageMove.issued_on, StageMove.moved_at).join(Track)
            .where(StageMove.entry_class == EntryClass.FIRST_TIME.value, StageMove.firm_id.in_(firm_ids))):
        first[firm_id][code].add((issued_on or local_today(moved_at)).year)
    profiles = {}
    if with_figures:
        profiles = profiles_of(firm_ids, today)
    return {firm_id: FirmStanding(town_id, industry_id, stages.get(firm_id, {}),
                                  {code: frozenset(years) for code, years in first.get(firm_id, {}).items()},
                                  profiles.get(firm_id))
            for firm_id, town_id, industry_id in firms}


def live_policies(today: date) -> list[Policy]:
    """Published policies not yet expired; read once per transaction (a bulk move of 1,000 firms asks once)."""
    transaction = db.session().get_transaction()
    cached = db.session.info.get(_LIVE_KEY)
    if cached is not None and cached[0] is transaction and cached[1] == today:
        return cached[2]
    policies = list(db.session.scalars(select(Policy).where(
        Policy.status == PUBLISHED, or_(Policy.effective_to.is_(None), Policy.effective_to >= today))
        .order_by(Policy.id)))
    db.session.info[_LIVE_KEY] = (transaction, today, policies)
    return policies


def forget_live_policies() -> None:
    """A policy was saved, published or withdrawn in this transaction: the next match reads the catalogue again."""
    db.session.info.pop(_LIVE_KEY, None)


_LIVE_KEY = "pipeline.policies.live"


def match_policy_to_firms(policy: Policy, firm_ids: FirmIds, *, now: datetime,
                          standings: dict[int, FirmStanding] | None = None) -> dict[int, str]:
    """Match one policy against firms, store the result and propose first-time rewards; returns firm id → status."""
    today = local_today(now)
    conditions = load_conditions(policy.conditions)
    if standings is None:
        standings = firm_standings(firm_ids, today, with_figures=_reads_figures(policy, conditions))
    statuses = {firm_id: match_policy(conditions, standing, today.year).status
                for firm_id, standing in standings.items()}
    _store(policy.id, statuses, now)
    if _rewards_first_time(policy, conditions):
        from pipeline.policies.ledger import propose_reward  # the ledger reads matches: imported when needed

        for firm_id, status in statuses.items():
            if status == QUALIFIED:
                propose_reward(policy, firm_id, today.year, standings[firm_id].profile, actor=None, now=now)
    return statuses


def _reads_figures(policy: Policy, conditions) -> bool:
    """Whether matching the policy needs the firms' figures: a condition on them, or a reward paid by rate."""
    return conditions.needs_figures or _pays_by_rate(policy)


def rematch_firm(firm_id: int, *, now: datetime) -> None:
    """Match one firm against every live policy (its stage, figures or facts changed)."""
    rematch_firms([firm_id], now=now)


def rematch_firms(firm_ids: Collection[int], *, now: datetime) -> None:
    """Match many firms against every live policy, each once (an import wrote their figures): the catalogue is
    read once per transaction, the firms' standings once per CHUNK firms."""
    policies = live_policies(local_today(now))
    ids = list(dict.fromkeys(firm_ids))
    if not policies:
        return
    with_figures = any(_reads_figures(p, load_conditions(p.conditions)) for p in policies)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        standings = firm_standings(chunk, local_today(now), with_figures=with_figures)
        for policy in policies:
            match_policy_to_firms(policy, chunk, now=now, standings=standings)


def match_all_firms(policy: Policy, *, now: datetime) -> dict[int, str]:
    """Match a policy against every firm of the county (publishing it)."""
    return match_policy_to_firms(policy, select(Firm.id), now=now)


def _rewards_first_time(policy: Policy, conditions: PolicyConditions) -> bool:
    return conditions.first_time_this_year and policy.benefit_kind in ("fixed", "rate")


def _pays_by_rate(policy: Policy) -> bool:
    return policy.benefit_kind == "rate"


def _store(policy_id: int, statuses: dict[int, str], now: datetime) -> None:
    """Insert new matches and update changed ones in bulk (100,000 firms: a few statements, no ORM objects)."""
    existing: dict[int, tuple[int, str]] = {}
    ids = list(statuses)
    for start in range(0, len(ids), CHUNK):
        existing.update((firm_id, (row_id, status)) for row_id, firm_id, status in db.session.execute(
            select(PolicyMatch.id, PolicyMatch.firm_id, PolicyMatch.status).where(
                PolicyMatch.policy_id == policy_id, PolicyMatch.firm_id.in_(ids[start:start + CHUNK]))))
    new_rows, changed = [], defaultdict(list)
    for firm_id, status in statuses.items():
        if firm_id not in existing:
            if status != NONE:
                new_rows.append(dict(policy_id=policy_id, firm_id=firm_id, status=status, matched_at=now))
        elif existing[firm_id][1] != status:
            changed[status].append(existing[firm_id][0])
    for start in range(0, len(new_rows), CHUNK):
        db.session.execute(insert(PolicyMatch), new_rows[start:start + CHUNK])
    for status, row_ids in changed.items():
        for start in range(0, len(row_ids), CHUNK):
            db.session.execute(update(PolicyMatch).where(PolicyMatch.id.in_(row_ids[start:start + CHUNK]))
                               .values(status=status, matched_at=now).execution_options(synchronize_session=False))
    db.session.flush()


MATCH_ORDER = {QUALIFIED: 0, NEAR: 1, NONE: 2}
