"""A pushed policy (issue 25) reaches the firm's users by SMS where they chose it (issue 22): once per policy and
number, with only the firm's and the policy's names, and a firm reachable only by SMS counts as reached."""

from __future__ import annotations

from sqlalchemy import func, select

from pipeline.channels.models import ChannelMessage, NoticeChoice, SmsTemplate, UserMobile
from pipeline.channels.sender import send_queued_channel_messages
from pipeline.domain.policy import PolicyConditions
from pipeline.domain.stages import Stage
from pipeline.mail.models import OutboxMessage
from pipeline.policies.services import push_notices
from tests.channels.conftest import NOW

POOL_POLICY = PolicyConditions(track="hnte", track_name="高新技术企业", stages=("pool",))


def test_a_pushed_policy_goes_by_sms_to_the_firm_users_who_chose_it_once(
        app, db, make_firm, make_user, make_policy, place_firm, providers, clock):
    db.session.add(SmsTemplate(kind="policy_notice", template_code="SMS_480003", params="firm={企业名称}; p={政策名称}"))
    texting = make_firm(name="新昌县城南轴承有限公司", contact_email="")  # reachable by SMS only
    mailing = make_firm(name="新昌县儒岙精工有限公司", contact_email="jg@firm.example.com")
    for firm in (texting, mailing):
        place_firm(firm, "hnte", Stage.POOL, now=NOW)
    chooser = make_user("firm", firm=texting, display_name="李经理", email="")
    make_user("firm", firm=mailing, display_name="赵经理", email="zhao@firm.example.com")  # no SMS chosen
    db.session.add_all([UserMobile(user_id=chooser.id, mobile="13900002222"),
                        NoticeChoice(user_id=chooser.id, kind="policy_notice", channel="sms", enabled=True)])
    db.session.commit()
    policy = make_policy(POOL_POLICY, benefit_kind="other", benefit_amount=None, benefit_text="免费辅导申报")

    assert push_notices(policy, include_near=False, now=NOW) == (2, 0)  # the SMS-only firm is reached too
    db.session.commit()
    assert push_notices(policy, include_near=False, now=NOW) == (0, 0)
    db.session.commit()
    assert db.session.scalar(select(func.count(ChannelMessage.id))) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1  # the mailing firm's email only

    clock.now = NOW
    send_queued_channel_messages(NOW)
    assert providers.sms.accepted == [{"phone": "13900002222", "template": "SMS_480003",
                                       "params": {"firm": "新昌县城南轴承有限公司", "p": policy.title},
                                       "out_id": providers.sms.accepted[0]["out_id"]}]


def test_without_an_sms_template_a_firm_without_email_stays_unreachable(
        db, make_firm, make_user, make_policy, place_firm, providers):
    firm = make_firm(contact_email="")
    place_firm(firm, "hnte", Stage.POOL, now=NOW)
    user = make_user("firm", firm=firm, email="")
    db.session.add_all([UserMobile(user_id=user.id, mobile="13900002222"),
                        NoticeChoice(user_id=user.id, kind="policy_notice", channel="sms", enabled=True)])
    db.session.commit()
    policy = make_policy(POOL_POLICY, benefit_kind="other", benefit_amount=None, benefit_text="免费辅导申报")
    assert push_notices(policy, include_near=False, now=NOW) == (0, 1)
    assert db.session.scalar(select(func.count(ChannelMessage.id))) == 0
