"""Journeys of issue 19: the admin invites an officer, who sets a password from the mail (read from a real SMTP
server), logs in, enrols TOTP and logs in again with a code; a firm contact resets a forgotten password; a disabled
user is logged out at once; an officer cannot manage staff."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from pipeline.auth.models import Role
from pipeline.auth.services import create_user
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.mail.sender import send_queued_emails
from tests.browser.conftest import log_in
from tests.smtp import SmtpServer

PASSWORD = "long-enough-password"
NEW_PASSWORD = "granite-violin-harbour-47"
LINK = re.compile(r"https?://[^/\s]+(/account/(?:setup|reset)/[A-Za-z0-9_-]+)")


@pytest.fixture(scope="module")
def smtp(live_app):
    server = SmtpServer().start()
    live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5.0, MAIL_USE_TLS=False,
                           MAIL_USE_SSL=False, MAIL_USERNAME="", MAIL_PASSWORD="")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def people(in_live_app):
    def make():
        town = Town(name="南明街道")
        firm = Firm(credit_code="91330624MA2BXQ8K3L", name="新昌县天姥精密轴承有限公司", town=town,
                    contact_email="zhang@tianmu.example.cn")
        db.session.add(firm)
        db.session.flush()
        create_user("e2e-acc-admin", Role.ADMIN, PASSWORD, display_name="李管理", email="li@kjj.example.cn")
        create_user("e2e-acc-officer", Role.OFFICER, PASSWORD, display_name="赵专员", email="zhao@kjj.example.cn")
        create_user("e2e-acc-firm", Role.FIRM, PASSWORD, firm_code=firm.credit_code, display_name="张伟",
                    email="zhang@tianmu.example.cn")

    in_live_app(make)


def _link_from_mail(in_live_app, smtp, address: str) -> str:
    """Deliver the outbox to the SMTP server, then the one-time link of the newest mail to the address."""
    in_live_app(lambda: send_queued_emails(datetime.now(UTC) + timedelta(minutes=1)))
    for message in reversed(smtp.messages):
        if address in str(message["To"]):
            return LINK.search(message.get_body(("plain",)).get_content()).group(1)
    raise AssertionError(f"no mail to {address}")


def test_admin_invites_an_officer_who_sets_a_password_and_enrols_two_factor(
        page, live_server, in_live_app, people, smtp, console_errors, shoot):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server, "e2e-acc-admin", PASSWORD)
    page.get_by_role("button", name="系统管理").click()
    page.get_by_role("link", name="用户管理").click()
    shoot("user-list")
    page.get_by_role("link", name="新建用户").click()
    page.get_by_label("用户名").fill("wangkeyuan")
    page.get_by_label("姓名").fill("王科员")
    page.get_by_label("邮箱").fill("wang@kjj.example.cn")
    page.get_by_label("角色").select_option("officer")
    page.get_by_label("南明街道").check()
    page.get_by_role("button", name="创建并发送邀请").click()
    expect(page.get_by_text("邀请邮件已发往 wang@kjj.example.cn")).to_be_visible()
    shoot("user-created")
    page.get_by_role("button", name="退出").click()

    page.goto(live_server + _link_from_mail(in_live_app, smtp, "wang@kjj.example.cn"))
    expect(page.get_by_role("heading", name="设置密码")).to_be_visible()
    shoot("set-password")
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存密码").click()
    expect(page.get_by_text("密码已设置，请用新密码登录。")).to_be_visible()

    log_in(page, live_server, "wangkeyuan", NEW_PASSWORD)
    page.locator("#menu-account").click()  # 修改密码 sits in the account's menu of the navbar
    page.get_by_role("link", name="修改密码").click()
    page.get_by_role("link", name="两步验证").click()
    page.get_by_role("link", name="设置两步验证").click()
    expect(page.locator("img.totp-qr")).to_be_visible()
    shoot("two-factor-setup")
    secret = page.locator("code.totp-secret").inner_text().strip()
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="完成设置").click()
    expect(page.get_by_role("heading", name="两步验证已启用")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="我已保存，继续").click()
    page.get_by_role("button", name="退出").click()

    log_in(page, live_server, "wangkeyuan", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="两步验证")).to_be_visible()
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30)))
    page.get_by_role("button", name="验证并登录").click()
    expect(page.locator("#menu-account")).to_have_text("王科员")  # the navbar's account menu (role inside)


def test_a_firm_contact_resets_a_forgotten_password(page, live_server, in_live_app, people, smtp, console_errors,
                                                   shoot):
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="忘记密码").click()
    page.get_by_label("用户名或邮箱").fill("zhang@tianmu.example.cn")
    page.get_by_role("button", name="发送重置链接").click()
    expect(page.get_by_role("heading", name="请查收邮件")).to_be_visible()
    page.goto(live_server + _link_from_mail(in_live_app, smtp, "zhang@tianmu.example.cn"))
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存密码").click()
    log_in(page, live_server, "e2e-acc-firm", NEW_PASSWORD)
    expect(page.get_by_role("link", name="我的企业")).to_be_visible()
    shoot("firm-after-reset")


def test_a_disabled_user_is_logged_out_at_once(browser, browser_context_args, page, live_server, people,
                                               console_errors):
    page.on("dialog", lambda dialog: dialog.accept())
    elsewhere = browser.new_context(**browser_context_args)  # the officer's own browser
    officer = elsewhere.new_page()
    log_in(officer, live_server, "e2e-acc-officer", PASSWORD)
    expect(officer.locator("#menu-account")).to_have_text("赵专员")
    log_in(page, live_server, "e2e-acc-admin", PASSWORD)
    page.goto(f"{live_server}/admin/users/?q=e2e-acc-officer")
    page.get_by_role("link", name="e2e-acc-officer").click()
    page.get_by_role("button", name="停用").click()
    expect(page.get_by_text("用户已停用，其所有登录已失效。")).to_be_visible()
    officer.reload()
    expect(officer.get_by_role("heading", name="登录")).to_be_visible()
    elsewhere.close()


def test_an_officer_cannot_manage_staff(page, live_server, in_live_app, people, console_errors):
    in_live_app(lambda: create_user("e2e-acc-officer2", Role.OFFICER, PASSWORD, display_name="钱专员"))
    log_in(page, live_server, "e2e-acc-officer2", PASSWORD)
    expect(page.get_by_role("button", name="系统管理")).to_have_count(0)
    assert page.request.get(f"{live_server}/admin/users/").status == 403  # the session's cookie, no page load
    assert page.request.post(f"{live_server}/admin/users/1/disable").status in (400, 403)  # CSRF first, then 403
