"""Broken, malicious and tricky uploads (issue 18, findings 4–7): a clear message, every row read, nothing leaked."""

import io
import json
import re
import zipfile

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


CELL_B2 = re.compile(rb'<c r="B2"[^>]*>.*?</c>')


def with_cells(cells: bytes, before: bytes = b"</sheetData>"):
    """The sheet with `cells` (markup) put in place of B2, or before `before`."""
    def change(xml: bytes) -> bytes:
        return CELL_B2.sub(lambda _: cells, xml, count=1) if before is None else xml.replace(before, cells + before, 1)
    return change


FAR = b'<c r="XFD1048576" t="n"><v>1</v></c>'
# A few kilobytes each, and each would make calamine allocate tens or hundreds of gigabytes for its grid (or its
# string table), which aborts the process: the guard must refuse them before calamine sees them.
GRID_BOMBS = {
    "far-cell": (with_cells(b'<row r="1048576">' + FAR + b"</row>"), "上限"),
    "far-column": (with_cells(b'<c r="XFD2" t="n"><v>1</v></c>', None), "最多到 DX 列"),
    "second-r-wins": (with_cells(b'<c r="B2" r="XFD2" t="n"><v>1</v></c>', None), "文件无法读取"),
    "single-quotes": (with_cells(b"<c r='XFD2' t=\"n\"><v>1</v></c>", None), "最多到 DX 列"),
    "lower-case": (with_cells(b'<c r="xfd2" t="n"><v>1</v></c>', None), "最多到 DX 列"),
    "prefixed": (with_cells(b'<x:c xmlns:x="urn:x" r="XFD2" t="n"><x:v>1</x:v></x:c>', None), "最多到 DX 列"),
    "cells-without-r": (with_cells(b'<c t="n"><v>1</v></c>' * 200, None), "最多到 DX 列"),
    "rows-without-r": (with_cells(b"<row></row>" * 2000 + b'<row><c t="n"><v>1</v></c></row>'), "上限"),
    "far-row-then-cell-without-r": (with_cells(b'<row r="1048576"><c t="n"><v>1</v></c></row>'), "上限"),
}


@pytest.mark.parametrize("case", GRID_BOMBS)
def test_a_value_far_away_is_refused_before_calamine_allocates_its_grid(client, db, login_as, towns, upload, app,
                                                                       case):
    from pipeline.imports.guard import Refused, check_workbook

    change, words = GRID_BOMBS[case]
    data = rewrite(workbook_bytes([firm_row(1), firm_row(2)]), SHEET, change)
    with pytest.raises(Refused):  # before the upload: a hole here would abort the test run in calamine
        check_workbook(io.BytesIO(data.getvalue()), max_unzipped=64 << 20, max_row=1010, max_column=128)
    app.config["PIPELINE_IMPORT_MAX_ROWS"] = 1000
    login_as(Role.OFFICER)
    response, token = upload(data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and token is None and words in page and "Traceback" not in page


def shared_strings(unique_count: str):
    """The workbook with a shared-strings table declaring `unique_count` strings and B2 taken from it."""
    def build(data: io.BytesIO) -> io.BytesIO:
        out = io.BytesIO()
        with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                content = source.read(item.filename)
                if item.filename == SHEET:
                    content = CELL_B2.sub(b'<c r="B2" t="s"><v>0</v></c>', content, count=1)
                elif item.filename == "xl/_rels/workbook.xml.rels":
                    content = content.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.'
                                              b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                              b'Target="sharedStrings.xml"/></Relationships>')
                target.writestr(item.filename, content)
            target.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                            f'2006/main" count="1" uniqueCount="{unique_count}"><si><t>共享字符串企业有限公司</t></si>'
                            "</sst>")
        out.seek(0)
        return out
    return build


def test_a_shared_strings_table_declaring_a_billion_strings_is_refused(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    response, token = upload(shared_strings("1000000000")(workbook_bytes([firm_row(1)])))
    assert response.status_code == 400 and "文件无法读取" in response.get_data(as_text=True)
    _, token = upload(shared_strings("1")(workbook_bytes([firm_row(1)])))  # the same file, honest: read
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "共享字符串企业有限公司" in page and "错误 0 行" in page


@pytest.mark.parametrize("marker", ["mimetype", "xl/workbook.bin"])
def test_an_opendocument_or_xlsb_package_is_not_an_xlsx(client, db, login_as, towns, upload, marker):
    data = workbook_bytes([firm_row(1)])
    out = io.BytesIO(data.getvalue())
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(marker, "application/vnd.oasis.opendocument.spreadsheet")
    out.seek(0)
    login_as(Role.OFFICER)
    response, token = upload(out)
    assert response.status_code == 400 and "不是有效的 .xlsx 文件" in response.get_data(as_text=True)


@pytest.mark.parametrize("change", [
    pytest.param(lambda xml: xml.replace(b'<c r="', b'<x:c xmlns:x="http://schemas.openxmlformats.org/'
                                         b'spreadsheetml/2006/main" r="').replace(b"</c>", b"</x:c>")
                 .replace(b"<v>", b"<x:v>").replace(b"</v>", b"</x:v>").replace(b"<is>", b"<x:is>")
                 .replace(b"</is>", b"</x:is>").replace(b"<t>", b"<x:t>").replace(b"</t>", b"</x:t>"),
                 id="prefixed-cells"),
    pytest.param(lambda xml: re.sub(rb'<c r="[A-Z]+\d+"', b"<c", xml), id="cells-without-r"),
    pytest.param(lambda xml: re.sub(rb'<c r="([A-Z]+\d+)"( t="[a-zA-Z]+")', rb"<c\2 r='\1'", xml),
                 id="r-last-in-single-quotes"),
])
def test_unusual_but_sound_markup_is_read(client, db, login_as, towns, upload, change):
    login_as(Role.OFFICER)
    _, token = upload(rewrite(workbook_bytes([firm_row(1), firm_row(2)]), SHEET, change))
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "新建 2" in page and "错误 0 行" in page


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
