"""Journey of issue 25: an officer writes and publishes a policy, the firm sees it in its portal with what it still
lacks, the officer records the firm's reward through approval and payment, and the dashboard shows the payment."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.auth.services import create_user
from pipeline.db import utcnow
from pipeline.demo import demo_credit_code
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import Track
from pipeline.funnel.services import local_today, move_firm
from pipeline.indicators.services import save_facts, save_year
from tests.browser.conftest import log_in

PASSWORD = "long-enough-password"
FIRM = "政策测试精密机械有限公司"
CODE = demo_credit_code(870)
YEAR = {"employees": 100, "tech_staff": 20, "sales": Decimal("8000"), "cost_expense": Decimal("7000"),
        "rd": Decimal("400"), "rd_domestic": Decimal("400"), "total_assets": Decimal("9000"),
        "net_assets": Decimal("4000"), "total_revenue": Decimal("8000"), "high_tech_revenue": Decimal("6000")}


def _setup():
    create_user("e2e-policy-officer", Role.OFFICER, PASSWORD, display_name="政策专员")
    firm = Firm(credit_code=CODE, name=FIRM, town=Town(name="七星街道"), registered_on=datetime(2018, 5, 1).date())
    db.session.add(firm)
    db.session.flush()
    now = utcnow()
    for year in range(local_today(now).year - 3, local_today(now).year):
        save_year(firm, year, YEAR, actor=None, now=now)
    save_facts(firm, {"ip_class_i": 1, "ip_class_ii": 4, "hnte_domain": "新材料"}, actor=None, now=now)
    hnte = db.session.scalar(select(Track).where(Track.code == "hnte"))
    record = move_firm((firm, hnte), Stage.SCREENING, actor=None, now=now).firm_track
    move_firm(record, Stage.POOL, actor=None, now=now)
    create_user("e2e-policy-firm", Role.FIRM, PASSWORD, firm_code=CODE)


@pytest.fixture(scope="module")
def county(in_live_app):
    in_live_app(_setup)


def test_officer_publishes_a_policy_for_pool_firms_with_large_sales(page, live_server, county, console_errors,
                                                                     shoot):
    log_in(page, live_server, "e2e-policy-officer", PASSWORD)
    page.goto(f"{live_server}/policies/")
    page.get_by_role("link", name="新增政策").click()
    page.get_by_label("政策名称").fill("规上高企培育企业研发奖励")
    page.get_by_label("发文单位").fill("新昌县人民政府")
    page.get_by_label("文号").fill("新政发〔2022〕8号")
    page.get_by_label("生效日期").fill("2022-01-01")
    page.get_by_label("享受方式").select_option("fixed")
    page.get_by_label("奖励金额（万元）").fill("20")
    page.get_by_label("培育类别").select_option("hnte")
    page.get_by_label("所处阶段").select_option(["pool", "cultivating"])
    page.get_by_label("年销售收入不低于（万元）").fill("8500")
    shoot("form")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存政策“规上高企培育企业研发奖励”。")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="发布并匹配企业").click()
    expect(page.get_by_text("已发布，符合条件 0 家，接近符合 1 家。")).to_be_visible()
    near = page.locator("section", has=page.get_by_role("heading", name=re.compile("接近符合条件的企业")))
    expect(near.get_by_text(FIRM)).to_be_visible()
    expect(near.get_by_text("年销售收入 8000 万元，需 ≥8500 万元，差 500 万元")).to_be_visible()
    shoot("published")


def test_the_firm_sees_the_policy_and_its_gap(page, live_server, county, console_errors, shoot):
    log_in(page, live_server, "e2e-policy-firm", PASSWORD)
    page.get_by_role("link", name="惠企政策").first.click()
    expect(page.get_by_role("heading", name="可享受的政策")).to_be_visible()
    card = page.locator("section", has=page.get_by_role("heading", name="规上高企培育企业研发奖励"))
    expect(card.get_by_text("接近符合")).to_be_visible()
    expect(card.get_by_text("差 500 万元")).to_be_visible()
    shoot("portal")
    with page.expect_navigation():
        card.get_by_role("link", name="规上高企培育企业研发奖励").click()
    expect(page.get_by_text("贵企业接近符合本政策的条件")).to_be_visible()
    shoot("detail")


def test_officer_records_the_payment_and_the_dashboard_shows_it(page, live_server, county, console_errors, shoot):
    log_in(page, live_server, "e2e-policy-officer", PASSWORD)
    page.goto(f"{live_server}/policies/")
    page.get_by_role("link", name="规上高企培育企业研发奖励").click()
    near = page.locator("section", has=page.get_by_role("heading", name=re.compile("接近符合条件的企业")))
    expect(near.get_by_text("已查看")).to_be_visible()  # the firm opened it in the previous test
    page.get_by_label("企业统一社会信用代码").fill(CODE)
    page.get_by_label("拟奖补金额（万元）").fill("20")
    with page.expect_navigation():
        page.get_by_role("button", name="登记拟奖补").click()
    expect(page.get_by_text(f"已为 {FIRM} 登记拟奖补。")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name=FIRM).last.click()
    page.get_by_label("审批金额（万元）").fill("20")
    with page.expect_navigation():
        page.get_by_role("button", name="审批通过").click()
    expect(page.get_by_text("已更新：已审批。")).to_be_visible()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the bureau's day, as the app counts it
    page.get_by_label("拨付日期").fill(today.isoformat())
    page.get_by_label("拨付文号").fill(f"新财企〔{today.year}〕18号")
    with page.expect_navigation():
        page.get_by_role("button", name="登记拨付").click()
    expect(page.get_by_text("已更新：已拨付。")).to_be_visible()
    expect(page.get_by_text(f"新财企〔{today.year}〕18号").first).to_be_visible()
    shoot("paid")
    page.goto(f"{live_server}/dashboard/")
    block = page.locator("#incentives")
    expect(block.get_by_role("heading", name=f"{today.year} 年奖补兑现")).to_be_visible()
    expect(block.get_by_test_id("incentives-paid-total")).to_have_text("20")
    expect(block.get_by_text("七星街道")).to_be_visible()
    block.scroll_into_view_if_needed()
    shoot("dashboard")
