"""Journey 6: anyone switches the language to English and back."""

import re

from playwright.sync_api import expect

from pipeline.auth.models import Role
from pipeline.auth.services import create_user
from tests.browser.conftest import choose_language, log_in


def test_switch_language_to_english_and_back_before_login(page, live_server, console_errors, shoot):
    page.goto(f"{live_server}/login")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    choose_language(page, "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shoot("english")
    choose_language(page, "zh")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    shoot("chinese")


def test_language_choice_is_remembered_for_the_user(page, live_server, in_live_app, console_errors, shoot):
    in_live_app(lambda: create_user("e2e-lang", Role.OFFICER, "long-enough-password", display_name="语言测试"))
    log_in(page, live_server, "e2e-lang", "long-enough-password")
    expect(page.get_by_role("link", name="培育看板")).to_be_visible()
    choose_language(page, "en")
    expect(page.get_by_role("link", name="Cultivation board")).to_be_visible()
    shoot("officer-english")
    page.get_by_role("button", name=re.compile("Log out")).click()
    log_in(page, live_server, "e2e-lang", "long-enough-password")
    expect(page.get_by_role("link", name="Cultivation board")).to_be_visible()
    choose_language(page, "zh")
    expect(page.get_by_role("link", name="培育看板")).to_be_visible()
