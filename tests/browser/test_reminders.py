"""Journey: an officer and a firm read their reminders; the admin words a rule, sees the dates and retries mail."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from playwright.sync_api import expect
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.auth.services import create_user
from pipeline.demo import demo_credit_code
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import FirmTrack, Track
from pipeline.mail.models import MessageStatus
from pipeline.mail.outbox import queue_email
from pipeline.reminders.models import ReminderRule
from pipeline.reminders.services import send_due_reminders
from tests.browser.conftest import log_in

PASSWORD = "long-enough-password"


def _county():
    town = db.session.scalar(select(Town).where(Town.name == "南明街道")) or Town(name="南明街道")
    officer = create_user("e2e-rem-officer", Role.OFFICER, PASSWORD, display_name="王科员", email="wang@example.com")
    hnte = db.session.scalar(select(Track).where(Track.code == "hnte"))
    firm = Firm(credit_code=demo_credit_code(880001), name="新昌县天姥精密轴承有限公司", town=town, officer=officer,
                contact_email="tianmu@example.com")
    db.session.add(firm)
    db.session.add(FirmTrack(firm=firm, track=hnte, stage=Stage.CERTIFIED, certificate_number="GR202433001234",
                             certified_on=date(2024, 12, 1), expires_on=date(2027, 12, 1)))
    db.session.flush()
    create_user("e2e-rem-firm", Role.FIRM, PASSWORD, firm_code=firm.credit_code, display_name="张伟")
    create_user("e2e-rem-admin", Role.ADMIN, PASSWORD, display_name="管理员")
    send_due_reminders(date(2027, 6, 4), now=datetime(2027, 6, 4, tzinfo=UTC))  # 180 days before expiry
    message = queue_email([("王科员", "wang@example.com")], "无法投递的测试邮件", "正文")
    message.status, message.last_error = MessageStatus.FAILED, "554 5.7.1 Message rejected as spam"


def test_reminders_journey(page, live_server, in_live_app, console_errors, shoot):
    in_live_app(_county)

    log_in(page, live_server, "e2e-rem-officer", PASSWORD)
    badge = page.locator(".navbar-reminders .badge")
    expect(badge).to_have_text("1")
    page.locator(".navbar-reminders").click()
    expect(page.get_by_text("新昌县天姥精密轴承有限公司高新技术企业证书将于2027-12-01到期")).to_be_visible()
    shoot("officer-notifications")
    page.get_by_role("button", name="标为已读", exact=True).click()
    expect(page.locator(".navbar-reminders .badge")).to_have_count(0)
    page.get_by_role("button", name="退出").click()

    log_in(page, live_server, "e2e-rem-firm", PASSWORD)
    page.locator(".navbar-reminders").click()
    expect(page.get_by_text("证书编号：GR202433001234", exact=False)).to_be_visible()
    shoot("firm-notifications")
    page.get_by_role("button", name="退出").click()

    log_in(page, live_server, "e2e-rem-admin", PASSWORD)
    page.get_by_role("button", name="系统管理").click()  # the admin pages sit in the navbar's menu
    page.get_by_role("link", name="提醒规则").click()
    shoot("admin-rules")
    page.locator("a[href$='/rules/hnte_expiry']").click()
    page.get_by_label("邮件主题").fill("{公司}证书到期")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text(re.compile("不认识的占位符 \\{公司\\}"))).to_be_visible()
    shoot("admin-rule-error")
    page.get_by_label("邮件主题").fill("【请重新申报】{企业名称}高企证书 {到期日期} 到期")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("提醒规则已保存。")).to_be_visible()
    page.get_by_role("link", name="年度申报日程").click()
    shoot("admin-calendar")
    page.locator("a[href$='/calendar/2026']").click()
    shoot("admin-year")
    page.get_by_role("button", name="系统管理").click()
    page.get_by_role("link", name="发件箱").click()
    expect(page.get_by_text("554 5.7.1 Message rejected as spam")).to_be_visible()
    shoot("admin-outbox")
    page.get_by_role("button", name="重试", exact=True).click()
    expect(page.get_by_text("邮件已重新加入发送队列。")).to_be_visible()
    shoot("admin-message")

    rule = in_live_app(lambda: db.session.get(ReminderRule, ("hnte_expiry", 1)).subject_template)
    assert rule == "【请重新申报】{企业名称}高企证书 {到期日期} 到期"
