"""The streamed .xlsx writer: the same cells as openpyxl's own writer, formulas kept as data, rows read lazily."""

import io
from datetime import date, datetime
from decimal import Decimal
from hashlib import sha256

from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from pipeline.sheet_cells import neutralise_row
from pipeline.sheet_stream import StreamedWorkbook

ROWS = [
    ["91330624MA2BXXXX1X", "甲<&>乙 \"有限\" 公司", date(2019, 4, 12), datetime(2026, 3, 1, 8, 30), 120, 8200.5,
     Decimal("410.25"), -3, True, False, "", None, " 前后空格 ", "=1+1", "+86 138", "-5", "@SUM(A1)", "\t制表",
     "第一行\n第二行", "是", 10 ** 17 + 3],
    [None, "只有一格"],
    [],
    ["", "", "x"],
]


def read(data: bytes) -> list[tuple]:
    return [tuple(row) for row in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True)]


def openpyxl_file(header: list[str], rows: list[list]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(header)
    for row in rows:
        sheet.append(neutralise_row(row))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def streamed_file(header: list[str], rows, **options) -> bytes:
    book = StreamedWorkbook()
    book.add_sheet("名单", header, rows, **options)
    with book.to_file() as handle:
        return handle.read()


def test_streamed_cells_read_back_as_openpyxl_writes_them():
    header = ["代码", "名称"]
    assert read(streamed_file(header, iter(ROWS))) == read(openpyxl_file(header, ROWS))
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(streamed_file(header, iter(ROWS))))
    first = calamine.get_sheet_by_index(0).to_python()[1]
    assert first[:3] == ["91330624MA2BXXXX1X", "甲<&>乙 \"有限\" 公司", date(2019, 4, 12)]


def test_formula_like_text_is_written_as_data():
    row = read(streamed_file(["a"], [["=HYPERLINK(\"http://x\")", "+1", "-1", "@A1", "\tx", "\rx", -1, "普通"]]))[1]
    assert row == ("'=HYPERLINK(\"http://x\")", "'+1", "'-1", "'@A1", "'\tx", "'\rx", -1, "普通")


def test_control_characters_are_dropped_rather_than_breaking_the_file():
    assert read(streamed_file(["a"], [["a\x00b\x1fc", "ok"]]))[1] == ("abc", "ok")


def test_header_look_frozen_panes_and_widths_and_the_rows_above():
    data = streamed_file(["代码", "名称"], [["x", "y"]], above=[["标题"], ["制表日期"]], widths=[22, 40],
                         freeze="A4")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[3]] == ["代码", "名称"] and sheet["A3"].font.bold
    assert sheet["A3"].fill.fgColor.rgb.endswith("F2DCDB") and not sheet["A4"].font.bold
    assert (sheet.freeze_panes, sheet.column_dimensions["B"].width) == ("A4", 40)
    assert [sheet["A1"].value, sheet["A4"].value, sheet["B4"].value] == ["标题", "x", "y"]


def test_rows_are_written_while_they_are_read_not_collected_first(monkeypatch):
    import pipeline.sheet_stream as stream

    monkeypatch.setattr(stream, "_FLUSH_ROWS", 10)
    target = io.BytesIO()
    seen = []

    def rows():
        for index in range(3000):
            seen.append(target.tell())  # bytes in the file when this row is asked for
            yield [index, sha256(str(index).encode()).hexdigest()]  # text that does not compress away

    book = StreamedWorkbook()
    book.add_sheet("名单", ["序号", "内容"], rows())
    book.save(target)
    assert seen == sorted(seen) and seen[0] < seen[1500] < seen[-1] < target.tell()
    assert read(target.getvalue())[-1] == (2999, sha256(b"2999").hexdigest())
