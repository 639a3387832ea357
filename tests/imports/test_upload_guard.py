"""The guard's limits on cell positions (pipeline/imports/guard.py): the fast path's patterns accept exactly the
references within the limits, and the walk places cells the way calamine does."""

import re

import pytest
from openpyxl.utils import get_column_letter

from pipeline.imports.guard import _columns_up_to, _number_up_to


@pytest.mark.parametrize("limit", [1, 5, 9, 10, 11, 99, 100, 1010, 5010, 100010, 200010, 1048576])
def test_the_row_pattern_accepts_exactly_1_to_the_limit(limit):
    pattern = re.compile(b"(?:" + _number_up_to(limit) + b")")
    numbers = {*range(1, min(limit, 3000) + 1), *range(max(1, limit - 3000), limit + 3000), 10 * limit, 0}
    for number in numbers:
        assert bool(pattern.fullmatch(str(number).encode())) == (1 <= number <= limit), number
    assert not pattern.fullmatch(b"01")  # calamine reads a leading zero; the fast path leaves it to the walk


@pytest.mark.parametrize("limit", [1, 26, 27, 52, 53, 128, 702])
def test_the_column_pattern_accepts_exactly_a_to_the_limit(limit):
    pattern = re.compile(b"(?:" + _columns_up_to(limit) + b")")
    for number in range(1, 26 * 27 + 1):
        assert bool(pattern.fullmatch(get_column_letter(number).encode())) == (number <= limit), number
    assert get_column_letter(128) == "DX" and get_column_letter(16384) == "XFD"


SHEETS = {  # sheetData of unusual but sound sheets, each read by calamine and walked by the guard
    "cells-without-r": b'<row r="2"><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row><row><c/><c t="n"><v>3</v></c>'
                       b'<c t="n"><v>4</v></c></row>',
    "rows-without-r": b"<row></row><row/><row><c r=\"B1\" t=\"n\"><v>1</v></c><c t=\"n\"><v>2</v></c></row>"
                      b'<row><c t="n"><v>5</v></c></row>',
    "prefixed": b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="3"><x:c r="C3" '
                b't="n"><x:v>1</x:v></x:c><x:c t="n"><x:v>2</x:v></x:c></x:row>',
    "r-after-t": b"<row r=\"4\"><c t=\"n\" r='E4'><v>1</v></c><c t=\"n\"><v>2</v></c></row>",
}


@pytest.mark.parametrize("case", SHEETS)
def test_the_walk_places_the_last_cell_where_calamine_does(case):
    import io
    import zipfile

    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from pipeline.imports.guard import Refused, check_workbook

    book, data = Workbook(), io.BytesIO()
    book.save(data)
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb"<sheetData\s*/>|<sheetData>.*</sheetData>",
                                 b"<sheetData>" + SHEETS[case] + b"</sheetData>", content, flags=re.S)
            target.writestr(item.filename, content)
    last_row, last_column = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_index(0).end
    check_workbook(io.BytesIO(out.getvalue()), max_unzipped=1 << 20, max_row=last_row + 1,
                   max_column=last_column + 1)  # the walk agrees that the last value is at (last_row, last_column)
    with pytest.raises(Refused) as refused:
        check_workbook(io.BytesIO(out.getvalue()), max_unzipped=1 << 20, max_row=last_row, max_column=99)
    assert refused.value.kind == "rows"
    with pytest.raises(Refused) as refused:
        check_workbook(io.BytesIO(out.getvalue()), max_unzipped=1 << 20, max_row=99, max_column=last_column)
    assert refused.value.kind == "columns"
