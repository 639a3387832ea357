"""The navbar at 1366 px: one line for the admin in Chinese and in English (its pages sit in dropdowns), and the
dropdowns open and lead to a page with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from pipeline.auth.models import Role
from pipeline.auth.services import create_user
from tests.browser.conftest import choose_language, log_in

PASSWORD = "long-enough-password"


@pytest.fixture(scope="module")
def admin(in_live_app):
    in_live_app(lambda: create_user("nav-admin", Role.ADMIN, PASSWORD, display_name="导航管理员"))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_admins_menu_fits_one_line_at_1366(page, live_server, admin, console_errors, shoot, language):
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, live_server, "nav-admin", PASSWORD)
    choose_language(page, language)
    page.goto(live_server + "/firms/")
    navbar = page.locator("nav.app-navbar")
    items = navbar.locator(".navbar-nav > .nav-item, .navbar-account > *")
    tops = {round(box["y"]) for box in (items.nth(i).bounding_box() for i in range(items.count())) if box}
    assert navbar.bounding_box()["height"] < 70 and max(tops) - min(tops) < 20, tops
    shoot(f"navbar-{language}")


def test_a_dropdown_opens_and_leads_to_its_page_by_keyboard(page, live_server, admin, console_errors):
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, live_server, "nav-admin", PASSWORD)
    choose_language(page, "zh")
    page.goto(live_server + "/firms/")
    toggle = page.get_by_role("button", name="系统管理")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="培育设置")).to_be_focused()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    account = page.locator("#menu-account")
    account.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="修改密码")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/account/password$"))
