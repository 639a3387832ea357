"""Matching through the services: publishing matches every firm exactly as the engine reads its confirmed figures;
stage moves and figure saves match the firm again in the same transaction; a first-time certification proposes its
reward once; pushing twice sends nothing twice; opted-out firms get nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from pipeline.domain.policy import NEAR, QUALIFIED, PolicyConditions
from pipeline.domain.stages import Stage
from pipeline.funnel.services import move_firm
from pipeline.indicators.services import save_year
from pipeline.mail.models import OutboxMessage
from pipeline.policies.matching import firm_standings, match_all_firms
from pipeline.policies.models import Incentive, PolicyMatch
from pipeline.policies.services import push_notices, set_opt_out
from tests.policies.conftest import GOOD_YEAR, NOW

FIRST_TIME_HNTE = PolicyConditions(track="hnte", track_name="高新技术企业", stages=("certified",),
                                   first_time_this_year=True)


def statuses(db, policy):
    return dict(db.session.execute(select(PolicyMatch.firm_id, PolicyMatch.status)
                                   .where(PolicyMatch.policy_id == policy.id)).all())


def test_publishing_matches_exactly_the_firms_whose_figures_meet_the_threshold(db, make_firm, add_figures,
                                                                                make_policy):
    on_edge = add_figures(make_firm(), rd=Decimal("320"), rd_domestic=Decimal("320"))  # 320 ÷ 8000 = 4% exactly
    a_cent_short = add_figures(make_firm(), rd=Decimal("319.99"), rd_domestic=Decimal("319.99"))
    far = add_figures(make_firm(), rd=Decimal("100"), rd_domestic=Decimal("100"))
    no_figures = make_firm()
    policy = make_policy(PolicyConditions(rd_sales_min=Decimal("0.04")), benefit_kind="other",
                         benefit_amount=None, benefit_text="研发费用补助优先支持")
    assert statuses(db, policy) == {on_edge.id: QUALIFIED, a_cent_short.id: NEAR}
    assert far.id not in statuses(db, policy) and no_figures.id not in statuses(db, policy)


def test_saving_figures_matches_the_firm_again(db, make_firm, add_figures, make_policy):
    firm = add_figures(make_firm(), rd=Decimal("100"), rd_domestic=Decimal("100"))
    policy = make_policy(PolicyConditions(rd_sales_min=Decimal("0.04")), benefit_kind="other", benefit_amount=None,
                         benefit_text="优先支持")
    assert firm.id not in statuses(db, policy)
    save_year(firm, 2025, {**GOOD_YEAR, "rd": Decimal("320"), "rd_domestic": Decimal("320")}, actor=None, now=NOW)
    assert statuses(db, policy) == {firm.id: QUALIFIED}
    save_year(firm, 2025, {**GOOD_YEAR, "rd": Decimal("0"), "rd_domestic": Decimal("0")}, actor=None, now=NOW)
    assert statuses(db, policy) == {firm.id: "none"}  # kept, so that a notice already sent is never sent again


def test_a_first_time_certification_proposes_the_reward_once(db, make_firm, make_policy, place_firm, track_by_code):
    policy = make_policy(FIRST_TIME_HNTE)
    firm = make_firm()
    record = place_firm(firm, "hnte", Stage.CULTIVATING, now=NOW)
    assert db.session.scalar(select(func.count(Incentive.id))) == 0
    move_firm(record, Stage.CERTIFIED, actor=None, now=NOW, certificate_number="GR202633000001",
              issued_on=date(2026, 6, 29))
    (incentive,) = db.session.scalars(select(Incentive)).all()
    assert (incentive.firm_id, incentive.year, incentive.status, incentive.amount) == (firm.id, 2026, "proposed",
                                                                                        Decimal("20"))
    assert incentive.track_id == track_by_code("hnte").id and incentive.changes[0].actor is None
    # Later moves, publishing again, saving figures: still one proposal.
    move_firm(record, Stage.RECERT_APPLYING, actor=None, now=NOW)
    match_all_firms(policy, now=NOW)
    save_year(firm, 2025, GOOD_YEAR, actor=None, now=NOW)
    assert db.session.scalar(select(func.count(Incentive.id))) == 1


def test_a_rolled_back_certification_leaves_no_reward(db, make_firm, make_policy, place_firm):
    make_policy(FIRST_TIME_HNTE)
    db.session.commit()
    record = place_firm(make_firm(), "hnte", Stage.CULTIVATING, now=NOW)
    move_firm(record, Stage.CERTIFIED, actor=None, now=NOW, certificate_number="GR202633000002",
              issued_on=date(2026, 6, 29))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Incentive.id))) == 0


def test_a_repeat_certification_or_last_years_first_time_gets_no_reward(db, make_firm, make_policy, place_firm):
    from datetime import UTC, datetime

    firm = make_firm()
    place_firm(firm, "hnte", Stage.CERTIFIED, now=datetime(2025, 5, 1, 2, tzinfo=UTC))
    policy = make_policy(FIRST_TIME_HNTE)
    assert firm.id not in statuses(db, policy)
    assert firm_standings([firm.id], date(2026, 6, 30))[firm.id].first_time_years == {"hnte": frozenset({2025})}
    assert db.session.scalar(select(func.count(Incentive.id))) == 0


def test_pushing_twice_queues_each_notice_once_and_skips_opted_out_firms(db, make_firm, make_policy, place_firm,
                                                                         runner, smtp_server):
    pooled = [make_firm() for _ in range(3)]
    for firm in pooled:
        place_firm(firm, "hnte", Stage.POOL, now=NOW)
    set_opt_out(pooled[2], True, actor=_user(db), now=NOW)
    policy = make_policy(PolicyConditions(track="hnte", track_name="高新技术企业", stages=("pool",)),
                         benefit_kind="other", benefit_amount=None, benefit_text="免费辅导申报")
    assert push_notices(policy, include_near=False, now=NOW) == (2, 0)
    db.session.commit()
    assert push_notices(policy, include_near=True, now=NOW) == (0, 0)
    db.session.commit()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    messages = smtp_server.messages
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted(f.contact_email for f in pooled[:2])
    body = messages[0].get_body(("plain",)).get_content()
    assert "贵企业符合以下惠企政策的条件" in body and f"/portal/policies/{policy.id}" in body


def _user(db):
    from pipeline.auth.models import Role, User

    user = User(username="firmuser-optout", password_hash="x", role=Role.FIRM, display_name="企业用户")
    db.session.add(user)
    db.session.flush()
    return user
