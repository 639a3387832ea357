"""Journey: an officer moves cards on the board by drag and drop and by the keyboard form; a firm reads its portal."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.auth.services import create_user
from pipeline.db import utcnow
from pipeline.demo import demo_credit_code
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import FirmTrack, Track
from pipeline.funnel.services import move_firm
from tests.browser.conftest import log_in

PASSWORD = "long-enough-password"


def _setup():
    town = Town(name="沃洲镇")
    firms = [Firm(credit_code=demo_credit_code(700 + i), name=name, town=town)
             for i, name in enumerate(("拖拽测试甲有限公司", "拖拽测试乙有限公司", "键盘测试丙有限公司"))]
    db.session.add_all(firms)
    db.session.flush()
    tech = db.session.scalar(select(Track).where(Track.code == "tech_sme"))
    now = utcnow() - timedelta(days=3)
    for firm in firms:
        move_firm((firm, tech), Stage.SCREENING, actor=None, now=now)
    create_user("e2e-officer", Role.OFFICER, PASSWORD, display_name="拖拽专员")


def _firm_in_pool():
    firm = Firm(credit_code=demo_credit_code(710), name="门户测试丁有限公司", town=Town(name="儒岙镇"))
    db.session.add(firm)
    db.session.flush()
    tech = db.session.scalar(select(Track).where(Track.code == "tech_sme"))
    record = move_firm((firm, tech), Stage.SCREENING, actor=None, now=utcnow()).firm_track
    move_firm(record, Stage.POOL, actor=None, now=utcnow())
    create_user("e2e-firm", Role.FIRM, PASSWORD, firm_code=firm.credit_code)


def _stage_of(in_live_app, name):
    return in_live_app(lambda: db.session.scalar(
        select(FirmTrack.stage).join(Firm).where(Firm.name == name)))


def test_officer_drags_and_uses_the_keyboard_form(page, live_server, in_live_app, console_errors, shoot):
    in_live_app(_setup)
    log_in(page, live_server, "e2e-officer", PASSWORD)
    page.set_viewport_size({"width": 2300, "height": 900})  # every column on screen: no scrolling mid-drag
    page.goto(f"{live_server}/funnel/?track=tech_sme")
    shoot("board")
    card = page.locator("article.board-card", has_text="拖拽测试甲有限公司")
    card.drag_to(page.locator('section.board-column[data-stage="pool"]'))
    expect(page.locator('section[data-stage="pool"] article', has_text="拖拽测试甲有限公司")).to_be_visible()
    assert _stage_of(in_live_app, "拖拽测试甲有限公司") is Stage.POOL
    # A forbidden column answers in Chinese and nothing moves.
    card = page.locator("article.board-card", has_text="拖拽测试乙有限公司")
    card.drag_to(page.locator('section.board-column[data-stage="certified"]'))
    expect(page.locator("#board-alert")).to_contain_text("跳过阶段须由管理员操作")
    shoot("refused")
    assert _stage_of(in_live_app, "拖拽测试乙有限公司") is Stage.SCREENING
    # A move that needs data opens the form for it.
    card.drag_to(page.locator('section.board-column[data-stage="removed"]'))
    expect(page.get_by_role("heading", name=re.compile("调整阶段"))).to_be_visible()
    expect(page.get_by_label("出库原因")).to_be_visible()
    expect(page.get_by_label("预计恢复日期")).to_be_hidden()
    page.get_by_label("出库原因").select_option("withdrawn")
    shoot("exit-form")
    page.get_by_role("button", name="确认调整").click()
    expect(page.locator(".alert-success")).to_contain_text("已移到“出库”")
    assert _stage_of(in_live_app, "拖拽测试乙有限公司") is Stage.REMOVED
    # Keyboard: open the card's move form, choose 入库, submit.
    page.goto(f"{live_server}/funnel/?track=tech_sme")
    card = page.locator("article.board-card", has_text="键盘测试丙有限公司")
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    card.get_by_label("移到阶段").select_option("pool")
    card.get_by_role("button", name="移动").press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("键盘测试丙有限公司")
    assert _stage_of(in_live_app, "键盘测试丙有限公司") is Stage.POOL
    shoot("after")
    # Refused moves answer 422 on purpose; Chromium logs every 4xx fetch as a console error.
    console_errors[:] = [e for e in console_errors if "status of 422" not in e]


def test_firm_user_reads_its_status(page, live_server, in_live_app, console_errors, shoot):
    in_live_app(_firm_in_pool)
    log_in(page, live_server, "e2e-firm", PASSWORD)
    expect(page.get_by_role("heading", name="门户测试丁有限公司")).to_be_visible()
    expect(page.get_by_text(re.compile("已入库（编号 科小-\\d{4}-\\d{4}），待开展培育"))).to_be_visible()
    shoot("portal")
