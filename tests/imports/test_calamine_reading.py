"""How python-calamine's values reach the parsers (reader.cell_value and Sheet.rows, issue 23): calamine gives every
number as a float, an empty cell as '', dates as date or datetime, durations as timedelta; a sheet whose first rows
or columns are empty starts at its first used cell, and the row numbers and column letters still say where a cell is."""

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import Workbook

from pipeline.auth.models import Role
from pipeline.imports.columns import IMPORT_COLUMNS, RESULT_COLUMNS
from pipeline.imports.reader import cell_value, open_sheet, parse_date
from tests.imports.conftest import HEADERS, firm_row, workbook_bytes


@pytest.mark.parametrize(("raw", "expected"), [
    (12.0, 12), (-3.0, -3), (0.0, 0), (-0.0, 0), (2.5, 2.5), (1e20, 1e20), (9007199254740991.0, 9007199254740991),
    ("", None), ("   ", None), ("  文本 ", "文本"), ("00123", "00123"), ("'=1+1", "=1+1"), ("'普通", "'普通"),
    (True, True), (date(2019, 4, 12), date(2019, 4, 12)), (datetime(2019, 4, 12, 13, 30), datetime(2019, 4, 12, 13, 30)),
    (time(13, 30), time(13, 30)), (timedelta(hours=30), timedelta(hours=30)),
])
def test_cell_value_normalises_what_calamine_gives(raw, expected):
    value = cell_value(raw)
    assert value == expected and type(value) is type(expected)


def typed_workbook() -> io.BytesIO:
    """A results list whose cells are of every kind a spreadsheet holds, its table starting at B3."""
    book = Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = "统一社会信用代码", "证书编号", "日期", "备注"
    rows = [
        ("91330624MA2EXAMPL5", 20190412, date(2019, 4, 12), 12),  # a whole number, a date cell
        ("91330624MA2EXAMPL5", "00123", datetime(2019, 4, 12, 13, 30), 2.5),  # text code with zeros, a date and time
        ("91330624MA2EXAMPL5", True, time(13, 30), timedelta(hours=30)),  # a boolean, a time, a duration
    ]
    for offset, values in enumerate(rows):
        for column, value in zip("BCDE", values, strict=True):
            sheet[f"{column}{5 + offset}"] = value  # row 4 stays empty
    sheet["E6"].number_format = "0.00"
    sheet["E7"].number_format = "[h]:mm:ss"
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def test_values_rows_and_letters_of_a_table_that_does_not_start_at_a1(app):
    sheet = open_sheet(typed_workbook(), RESULT_COLUMNS, max_rows=10)
    try:
        rows = list(sheet.rows())
    finally:
        sheet.close()
    assert sheet.header_row == 3 and sheet.total == 4
    assert [sheet.letter(key) for key in ("credit_code", "number", "date", "note")] == ["B", "C", "D", "E"]
    assert [number for number, _ in rows] == [5, 6, 7]  # the empty row 4 is skipped, the numbers are Excel's
    first, second, third = (record for _, record in rows)
    assert first == {"credit_code": "91330624MA2EXAMPL5", "number": 20190412, "date": date(2019, 4, 12), "note": 12}
    assert type(first["number"]) is int and type(first["note"]) is int
    assert second["number"] == "00123" and second["date"] == datetime(2019, 4, 12, 13, 30) and second["note"] == 2.5
    assert third["number"] is True and third["date"] == time(13, 30) and third["note"] == timedelta(hours=30)
    assert parse_date(first["number"]) == parse_date(first["date"]) == parse_date(second["date"]) == date(2019, 4, 12)


def test_a_whole_number_in_a_flag_or_count_cell_reads_as_that_number(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    headers = [*HEADERS, "持有有效高企证书"]
    rows = [{**firm_row(1), "持有有效高企证书": 1, "II 类知识产权（件）": 6.0}, {**firm_row(2), "持有有效高企证书": 0}]
    _, token = upload(workbook_bytes(rows, headers))
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "新建 2" in page and "错误 0 行" in page  # 1.0 would be "应填“是”或“否”：1.0"


def test_errors_name_the_sheets_own_row_and_column_when_the_table_is_shifted(client, db, login_as, towns, upload):
    book = Workbook()
    sheet = book.active
    for column, header in enumerate(HEADERS, start=3):  # from C3: two empty columns, two empty rows
        sheet.cell(3, column, header)
    for offset, row in enumerate([firm_row(1), firm_row(2, **{"销售收入（万元）": "八千"})]):
        for column, header in enumerate(HEADERS, start=3):
            sheet.cell(4 + offset, column, row[header])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    login_as(Role.OFFICER)
    _, token = upload(data)
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "新建 1" in page and "错误 1 行" in page
    assert "<td>5</td><td>L</td>" in page and "不是数字" in page  # 销售收入 is the 10th header: C + 9 = L


def test_an_excel_error_value_reads_as_an_empty_cell(client, db, login_as, towns, upload):
    """calamine gives #N/A, #DIV/0! … as an empty cell (openpyxl gave the text): a required figure says so at its
    row and column, and a firm field is left unchanged rather than set to "#N/A"."""
    sheet_xml = "xl/worksheets/sheet1.xml"
    source = workbook_bytes([firm_row(1, **{"销售收入（万元）": 123456789})])
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename == sheet_xml:
                content = re.sub(rb'<c r="J2"( s="\d+")? t="n"><v>123456789</v></c>',
                                 rb'<c r="J2" t="e"><v>#DIV/0!</v></c>', content)
                assert b"#DIV/0!" in content
            new.writestr(item.filename, content)
    out.seek(0)
    login_as(Role.OFFICER)
    _, token = upload(out)
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "错误 1 行" in page and "<td>2</td><td>J</td>" in page and "请填写销售收入" in page


def test_the_data_sheet_is_found_by_name_and_else_the_first_worksheet(app):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["这里是说明"])
    data_sheet = book.create_sheet("企业与指标")
    data_sheet.append(["统一社会信用代码", "企业名称"])
    data_sheet.append(["91330624MA2EXAMPL5", "示例"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    sheet = open_sheet(data, IMPORT_COLUMNS, max_rows=10)
    try:
        assert [record for _, record in sheet.rows()] == [{"credit_code": "91330624MA2EXAMPL5", "name": "示例"}]
    finally:
        sheet.close()
