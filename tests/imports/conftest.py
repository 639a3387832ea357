"""Workbooks built in memory, and helpers to upload them as an officer would."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from pipeline.demo import demo_credit_code
from tests.indicators.conftest import add_figures  # noqa: F401  (a fixture shared with these tests)
from tests.policies.conftest import make_policy  # noqa: F401  (a fixture shared with these tests)

HEADERS = ["统一社会信用代码", "企业名称", "乡镇/街道", "行业", "成立日期", "联系电话", "数据年度", "职工总数（人）",
           "科技人员数（人）", "销售收入（万元）", "成本费用支出总额（万元）", "研发费用（万元）", "境内研发费用（万元）",
           "资产总额（万元）", "净资产（万元）", "总收入（万元）", "高新技术产品(服务)收入（万元）", "I 类知识产权（件）",
           "II 类知识产权（件）", "高企技术领域"]


def firm_row(index: int, **changes) -> dict:
    """One valid row (a new firm unless its code exists), keyed by header."""
    row = dict(zip(HEADERS, [
        demo_credit_code(500000 + index), f"导入测试企业{index}有限公司", "南明街道", "轴承", date(2019, 4, 12),
        f"1380000{index:04d}", 2025, 100, 20, 8000, 7000, 400, 400, 9000, 4000, 8000, 6000, 1, 6, "新材料"],
        strict=True))
    row.update(changes)
    return row


def workbook_bytes(rows: list[dict], headers: list[str] | None = None) -> io.BytesIO:
    headers = headers or HEADERS
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def read_xlsx(data: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


@pytest.fixture
def towns(db, make_town):
    """The towns and the industry the rows name."""
    from pipeline.firms.models import Industry

    for name in ("南明街道", "羽林街道", "回山镇"):
        make_town(name)
    if not db.session.scalar(select(Industry.id).where(Industry.name == "轴承")):
        db.session.add(Industry(name="轴承"))
    db.session.commit()


def confirm_disabled(page: str) -> bool:
    return bool(re.search(r'type="submit" disabled aria-disabled="true">确认导入', page))


@pytest.fixture
def upload(client):
    """Upload a workbook to the firm import; return (response, token of the preview or None)."""

    def send(data: io.BytesIO, filename: str = "企业.xlsx", url: str = "/excel/imports", **fields):
        response = client.post(url, data={"file": (data, filename), **fields}, content_type="multipart/form-data")
        match = re.search(r"/excel/imports/([A-Za-z0-9_-]+)$", response.headers.get("Location", ""))
        return response, match.group(1) if match else None

    return send
