"""Journey 3: an officer imports an Excel file with one bad row; the preview shows the error at its row and column
and the confirm button is disabled; after fixing the file the import succeeds."""

from __future__ import annotations

import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.auth.services import create_user
from pipeline.demo import INDUSTRIES, TOWNS, demo_credit_code
from pipeline.extensions import db
from pipeline.firms.models import Firm, Industry, Town
from tests.browser.conftest import log_in

PASSWORD = "long-enough-password"
HEADERS = ["统一社会信用代码", "企业名称", "乡镇/街道", "行业", "联系人", "联系电话"]
GOOD = demo_credit_code(5001)
FIXED = demo_credit_code(5002)
BROKEN = FIXED[:-1] + ("0" if FIXED[-1] != "0" else "1")  # a typo in the check digit
ROWS = [
    [GOOD, "新昌县沃洲智能纺机有限公司", "沃洲镇", "纺机", "陈静", "13857500001"],
    [BROKEN, "新昌县澄潭生物医药有限公司", "澄潭镇", "生命健康", "吴敏", "13857500002"],
]


def _county():
    db.session.add_all([Town(name=name, sort_order=i) for i, name in enumerate(TOWNS)])
    db.session.add_all([Industry(name=name, sort_order=i) for i, name in enumerate(INDUSTRIES)])
    create_user("e2e-importer", Role.OFFICER, PASSWORD, display_name="导入专员")


@pytest.fixture(scope="module")
def county(in_live_app):
    in_live_app(_county)


def workbook(path, rows) -> str:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def upload(page, path: str) -> None:
    form = page.locator("form", has=page.get_by_role("button", name="上传并预览")).first
    form.locator("input[type=file]").set_input_files(path)
    form.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_role("heading", name=re.compile("^导入预览"))).to_be_visible()


def test_officer_fixes_a_bad_row_and_imports(page, live_server, county, in_live_app, tmp_path, console_errors,
                                             shoot):
    log_in(page, live_server, "e2e-importer", PASSWORD)
    page.get_by_role("button", name="指标与数据").click()  # the data pages sit in the navbar's menu
    page.get_by_role("link", name="Excel 导入导出").click()
    expect(page.get_by_role("heading", name="Excel 导入导出")).to_be_visible()
    shoot("import-page")

    upload(page, workbook(tmp_path / "企业名单.xlsx", ROWS))
    expect(page.locator(".import-counts")).to_contain_text("错误 1 行")
    error = page.locator("table.import-errors tbody tr")
    expect(error).to_have_count(1)
    expect(error.locator("td")).to_have_text(["3", "A", "统一社会信用代码", re.compile("校验位错误")])
    expect(page.get_by_role("button", name="确认导入")).to_be_disabled()
    shoot("preview-with-error")
    assert in_live_app(lambda: db.session.scalar(select(Firm.id).limit(1))) is None  # nothing written

    page.get_by_role("link", name="重新上传").click()
    fixed = [ROWS[0], [FIXED, *ROWS[1][1:]]]
    upload(page, workbook(tmp_path / "企业名单（已改正）.xlsx", fixed))
    expect(page.locator(".import-counts")).to_contain_text("新建 2")
    expect(page.locator(".import-counts")).to_contain_text("错误 0 行")
    expect(page.locator("table.import-errors")).to_have_count(0)
    confirm = page.get_by_role("button", name="确认导入")
    expect(confirm).to_be_enabled()
    shoot("preview-clean")
    confirm.click()
    expect(page.locator(".alert-success").first).to_contain_text("导入完成")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    shoot("imported")

    page.get_by_role("link", name="企业库").click()
    expect(page.get_by_text("共 2 家")).to_be_visible()
    expect(page.locator("table.firm-table")).to_contain_text("新昌县澄潭生物医药有限公司")
    assert in_live_app(lambda: db.session.scalar(select(Town.name).join(Firm).where(Firm.credit_code == FIXED))) \
        == "澄潭镇"
