"""The admin's channel settings and delivery log, the outbox's per-channel summary, and each user's own choices."""

from __future__ import annotations

from sqlalchemy import func, select

from pipeline.channels.models import ChannelMessage, ChannelSwitch, NoticeChoice, SmsTemplate, UserMobile
from pipeline.channels.outbox import queue_channel_message
from pipeline.domain.channels import (
    Channel,
    mask_mobile,
    mask_secret,
    normalize_mobile,
    parse_sms_params,
    sms_params,
)
from pipeline.mail.models import MessageStatus
from tests.channels.conftest import AK_SECRET, DING_SECRET, NOW


def test_mainland_mobile_numbers_are_validated_and_masked():
    assert normalize_mobile("+86 138-0013-1234") == "13800131234"
    assert [normalize_mobile(n) for n in ("12800131234", "1380013123", "0575-86001234", "")] == [None] * 4
    assert mask_mobile("13800131234") == "138****1234"
    assert mask_secret(AK_SECRET) == "test…（33 位）" and mask_secret("short") == "****"


def test_sms_variables_name_only_the_rules_placeholders_and_are_cut_to_35_characters():
    mapping, errors = parse_sms_params("name={企业名称}；date={到期日期}", ["企业名称", "到期日期"])
    assert (mapping, errors) == ({"name": "{企业名称}", "date": "{到期日期}"}, [])
    assert [str(e) for e in parse_sms_params("name={联系人电话}", ["企业名称"])[1]] == ["此规则没有占位符 {联系人电话}"]
    assert parse_sms_params("企业={企业名称}", ["企业名称"])[1]
    assert [str(e) for e in parse_sms_params("name={企业名称:>999999999}", ["企业名称"])[1]] == [
        "“name={企业名称:>999999999}”的占位符不能带格式说明"]
    filled = sms_params(mapping, {"企业名称": "甲" * 40, "到期日期": "2027-06-30", "证书编号": "GR1"})
    assert filled == {"name": "甲" * 34 + "…", "date": "2027-06-30"}


def test_the_admin_switches_channels_sets_defaults_and_sms_templates(client, db, login_as, providers):
    login_as("admin")
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert "test…（33 位）" in page and AK_SECRET not in page and DING_SECRET not in page
    response = client.post("/admin/channels/", data={
        "switch:sms": "on", "default:hnte_expiry:sms": "on", "template:hnte_expiry": "SMS_480001",
        "params:hnte_expiry": "name={企业名称}; date={到期日期}"})
    assert response.status_code == 302
    assert db.session.get(ChannelSwitch, "sms").enabled and not db.session.get(ChannelSwitch, "wecom").enabled
    assert db.session.get(SmsTemplate, "hnte_expiry").template_code == "SMS_480001"


def test_a_template_with_an_unknown_placeholder_is_refused_in_chinese_and_nothing_changes(
        client, db, login_as, providers):
    login_as("admin")
    response = client.post("/admin/channels/", data={
        "template:hnte_expiry": "SMS_480001", "params:hnte_expiry": "phone={联系电话}"})
    assert response.status_code == 400
    assert "此规则没有占位符 {联系电话}" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SmsTemplate, "hnte_expiry") is None and db.session.get(ChannelSwitch, "sms").enabled


def test_a_user_chooses_sms_with_a_valid_mobile_and_a_bad_number_changes_nothing(client, db, login_as, providers):
    user = login_as("firm")
    bad = client.post("/account/notifications/", data={"mobile": "1234567", "choice:hnte_expiry:sms": "on"})
    assert bad.status_code == 400 and "手机号码格式不正确" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NoticeChoice)) == 0
    good = client.post("/account/notifications/", data={"mobile": "138 0013 1234", "choice:hnte_expiry:sms": "on",
                                                        "choice:hnte_expiry:email": "on"})
    assert good.status_code == 302
    assert db.session.get(UserMobile, user.id).mobile == "13800131234"
    assert db.session.get(NoticeChoice, (user.id, "hnte_expiry", "sms")).enabled
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert "13800131234" in page and "超期未跟进企业周报" not in page  # a firm user never gets the officers' digest
    assert "钉钉工作通知" not in page  # the bureau's DingTalk organisation holds its staff, not the firms'


def test_an_officer_can_choose_dingtalk_work_notifications(client, db, login_as, providers):
    user = login_as("officer")
    page = client.get("/account/notifications/").get_data(as_text=True)
    assert "钉钉工作通知" in page and "超期未跟进企业周报" in page
    refused = client.post("/account/notifications/", data={"choice:stale_digest:dingtalk_work": "on"})
    assert refused.status_code == 400 and "请先填写手机号码" in refused.get_data(as_text=True)
    client.post("/account/notifications/", data={"mobile": "13800001111", "choice:stale_digest:dingtalk_work": "on"})
    assert db.session.get(NoticeChoice, (user.id, "stale_digest", "dingtalk_work")).enabled


def test_the_outbox_page_shows_each_channels_status_and_the_log_masks_numbers(client, db, login_as, providers):
    queue_channel_message(Channel.SMS, "13800131234", dedup_key="x:1", now=NOW, label="李经理", title="证书到期提醒")
    message = db.session.get(ChannelMessage, queue_channel_message(Channel.DINGTALK, "南明街道", dedup_key="x:2",
                                                                    now=NOW, title="南明街道 提醒"))
    message.status, message.last_error = MessageStatus.FAILED, "钉钉机器人校验失败：加签密钥、关键词或 IP 白名单不符"
    db.session.commit()
    login_as("admin")
    outbox = client.get("/admin/mail/").get_data(as_text=True)
    assert "短信与群机器人" in outbox and "/admin/channels/messages?channel=dingtalk&amp;status=failed" in outbox
    log = client.get("/admin/channels/messages").get_data(as_text=True)
    assert "138****1234" in log and "13800131234" not in log and "加签密钥" in log
    assert client.post(f"/admin/channels/messages/{message.id}/retry").status_code == 302
    db.session.expire_all()
    assert message.status is MessageStatus.QUEUED


HOSTILE = ["<script>alert(1)</script>", "9" * 30, "=1+1", "字" * 10000, "SMS_1'; DROP TABLE x;--", "{0.__class__}"]


def test_hostile_values_on_the_channel_forms_never_break_a_page(client, db, login_as, providers):
    login_as("admin")
    for value in HOSTILE:
        response = client.post("/admin/channels/", data={"switch:sms": value, "template:hnte_expiry": value,
                                                          "params:hnte_expiry": value, "default:hnte_expiry:sms": value})
        assert response.status_code in (302, 400)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
        mine = client.post("/account/notifications/", data={"mobile": value, "choice:hnte_expiry:sms": value})
        assert mine.status_code == 400 and "手机号码格式不正确" in mine.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(UserMobile)) == 0
    page = client.get("/admin/channels/messages?channel=%3Cscript%3E&status=9999&page=-1")
    assert page.status_code == 200
