"""On a phone (390 px) the tables whose key column or main action would sit off-screen are cards (or keep their key
column in view): the firm's certificates with 下载 PDF, the firm list with 培育状态, the firm's figures."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

PHONE = {"width": 390, "height": 844}


def within_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def test_a_firms_certificates_are_cards_with_the_download_in_view(phone, live_server, demo_county, console_errors,
                                                                   shoot):
    log_in(phone, live_server, "firm", demo_county["firm"])
    phone.goto(live_server + "/portal/certificates/")
    download = phone.get_by_role("link", name="下载 PDF").first
    expect(download).to_be_visible()
    assert within_screen(download)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot("certificates")


def test_the_firm_list_shows_each_firms_stage_on_a_phone(phone, live_server, demo_county, console_errors, shoot):
    log_in(phone, live_server, "officer", demo_county["officer"])
    phone.goto(live_server + "/firms/")
    first = phone.locator("table.firm-table tbody tr").first
    status = first.locator("td.stack-first")
    expect(status).to_be_visible()
    assert within_screen(status) and within_screen(first.locator("td.stack-title a"))
    # The state comes right under the name, before the code, town and officer.
    assert status.bounding_box()["y"] < first.locator("td.font-monospace").bounding_box()["y"]
    shoot("firm-list")


def test_the_figures_keep_their_names_in_view_while_the_years_scroll(phone, live_server, demo_county, console_errors,
                                                                    shoot):
    log_in(phone, live_server, "firm", demo_county["firm"])
    phone.goto(live_server + "/portal/figures/")
    table = phone.locator("table.figures-table").first
    name = table.locator("tbody th[scope=row]").first
    expect(name).to_be_visible()
    scroller = table.locator("xpath=..")
    scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert within_screen(name) and name.bounding_box()["x"] <= 20
    shoot("figures")
