"""Broken, malicious and tricky uploads (issue 18, findings 4–7): a clear message, every row read, nothing leaked."""

import io
import json
import re
import zipfile

import openpyxl
import pytest

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.imports.models import ImportBatch
from pipeline.imports.storage import batch_payload
from tests.imports.conftest import firm_row, workbook_bytes

SHEET = "xl/worksheets/sheet1.xml"


def rewrite(data: io.BytesIO, member: str, change) -> io.BytesIO:
    """The workbook with one part replaced by change(its bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(item.filename, change(content) if item.filename == member else content)
    out.seek(0)
    return out


def with_dtd(entity_body: str):
    def change(xml: bytes) -> bytes:
        head, _, rest = xml.partition(b"?>")
        dtd = f'<!DOCTYPE worksheet [{entity_body}]>'.encode()
        return head + b"?>" + dtd + rest.replace(b"<v>", b"<v>&e;", 1)
    return change


LAUGHS = '<!ENTITY a "lollollollollollollollollollol">' + "".join(
    f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + '<!ENTITY e "&i;">'


def zip_bomb() -> io.BytesIO:
    data = workbook_bytes([firm_row(1)])
    return rewrite(data, SHEET, lambda xml: xml + b" " * (70 * 1024 * 1024))


@pytest.mark.parametrize("make", [
    pytest.param(lambda: io.BytesIO(workbook_bytes([firm_row(1)]).getvalue()[:1500]), id="truncated"),
    pytest.param(lambda: rewrite(workbook_bytes([firm_row(1)]), SHEET, lambda x: x.replace(b"<row", b"<ro\x00w", 1)),
                 id="nul-byte"),
    pytest.param(lambda: rewrite(workbook_bytes([firm_row(1)]), SHEET,
                                 with_dtd('<!ENTITY e SYSTEM "file:///etc/passwd">')), id="external-entity"),
    pytest.param(lambda: rewrite(workbook_bytes([firm_row(1)]), SHEET, with_dtd(LAUGHS)), id="billion-laughs"),
    pytest.param(zip_bomb, id="zip-bomb"),
    pytest.param(lambda: rewrite(workbook_bytes([firm_row(1)]), SHEET, lambda x: x[: len(x) // 2]),
                 id="cut-sheet"),
])
def test_a_broken_or_malicious_file_gets_a_clear_message(client, db, login_as, towns, upload, app, make):
    app.config["PIPELINE_IMPORT_MAX_ROWS"] = 1000  # the unpacked-size cap follows the row limit (64 MB at least)
    login_as(Role.OFFICER)
    response, token = upload(make())
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and token is None
    assert "文件无法读取" in page and "Traceback" not in page and "root:" not in page
    assert db.session.query(ImportBatch).count() == 0


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def shrink_dimension(data: io.BytesIO, ref: str) -> io.BytesIO:
    return rewrite(data, SHEET, lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml))


def test_rows_below_a_wrong_dimension_are_read(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    data = shrink_dimension(workbook_bytes([firm_row(i) for i in range(1, 6)]), "A1:B2")
    _, token = upload(data)
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "新建 5" in page and "错误 0 行" in page


@pytest.mark.parametrize(("value", "words"), [
    ("换行\n企业有限公司", "只能填写一行"),
    ("制表\t符有限公司", "只能填写一行"),
    ("控制\x9b字符有限公司", "不能包含控制字符"),  # XML carries no C0 control but tab and line breaks; C1 it does
])
def test_a_name_with_a_line_break_or_control_character_is_a_row_error(client, db, login_as, towns, upload, value,
                                                                       words):
    login_as(Role.OFFICER)
    book = workbook_bytes([firm_row(1), firm_row(2)])
    data = rewrite(book, SHEET,
                   lambda xml: xml.replace("导入测试企业2有限公司".encode(), value.encode()))
    _, token = upload(data)
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "新建 1" in page and "错误 1 行" in page and words in page
    assert re.search(r"<td>3</td><td>B</td>", page)


def test_out_of_scope_rows_name_no_firm_of_another_town(client, db, login_as, make_firm, make_town, place_firm,
                                                        upload):
    south, north = make_town("南明街道"), make_town("回山镇")
    theirs = make_firm(name="外乡秘密企业有限公司", town=north)
    place_firm(theirs, "tech_sme", Stage.CULTIVATING)
    login_as(Role.OFFICER, towns=[south])
    rows = [{"统一社会信用代码": theirs.credit_code, "企业名称": "随便写的名字", "登记编号": "20263306240C002",
             "登记日期": "2026-01-05"}]
    response, token = upload(workbook_bytes(rows, ["统一社会信用代码", "企业名称", "登记编号", "登记日期"]),
                             url="/excel/results", track="tech_sme", list_kind="certified")
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "不在您负责的乡镇/街道 1" in page and "外乡秘密企业有限公司" not in page
    stored = json.dumps(batch_payload(db.session.query(ImportBatch).one()), ensure_ascii=False)
    assert "外乡秘密企业有限公司" not in stored and f'"firm_id": {theirs.id}' not in stored
