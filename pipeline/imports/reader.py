"""Read an uploaded .xlsx as plain rows with python-calamine (Rust: several times faster than openpyxl, which
stays for writing templates and exports); headers found by name.

guard.check_workbook() reads the archive first: calamine never sees a zip bomb, a DTD, or a value far enough away to
make it allocate a grid it cannot hold. Cell values are normalised in one place, cell_value().
"""

from __future__ import annotations

import itertools
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum

from pipeline.hygiene import text_problem
from pipeline.imports.columns import Column, header_index, normalize_header
from pipeline.imports.guard import Refused, check_workbook
from pipeline.sheet_cells import QUOTE, restore

HEADER_SCAN_ROWS = 10
MIN_UNZIPPED = 64 * 1024 * 1024  # bytes a workbook may unpack to, at least…
UNZIPPED_PER_ROW = 4096  # …or this much per row allowed (PIPELINE_IMPORT_MAX_ROWS): ~400 MB for 100,000 rows
MAX_COLUMNS = 128  # DX: the import has 40 columns, an export ~50; calamine's grid is rows × columns
EXACT_FLOAT = 2**53  # a whole float below this is the integer that was typed
DATA_SHEET = "企业与指标"
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)
# Every character hygiene.text_problem() refuses in one-line text (controls, tab, line breaks): one search per cell,
# text_problem() only for the message.
_SUSPECT = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

Progress = Callable[[int, int | None], None]
log = logging.getLogger(__name__)


class ReadError(ValueError):
    """The file as a whole cannot be read (not an .xlsx, no header row…); the message is Chinese."""


class CellError(ValueError):
    """One cell's value is wrong; the message is Chinese."""


def cell_value(value):
    """A cell as calamine gives it, the way the parsers take it: None for an empty cell (calamine gives ''), an int
    for a whole number (calamine gives every number as a float: 12.0 must read as 12, not "12.0"), text with our
    export's formula apostrophe taken off and stripped; dates (date, or datetime with a time of day), times,
    durations (timedelta) and booleans as they are."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() and -EXACT_FLOAT < value < EXACT_FLOAT else value
    if kind is str:
        return restore(value).strip() or None
    return value


@dataclass
class Sheet:
    """An opened worksheet: which column index holds which field, and the data rows to come."""

    columns: dict[int, Column]
    header_row: int
    ignored: list[str] = field(default_factory=list)
    total: int | None = None
    _rows: Iterator[tuple[int, list]] | None = None  # (Excel row number, values from first_column on)
    _workbook: object = None
    cell_problems: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    first_column: int = 0  # 0-based column of each row's first value (calamine starts at the first used column)

    def letter(self, key: str) -> str:
        """Column letter of a field (for error messages)."""
        return next((get_column_letter(i + 1 + self.first_column) for i, c in self.columns.items() if c.key == key), "")

    def header(self, key: str) -> str:
        return next((c.header for c in self.columns.values() if c.key == key), key)

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns.values())

    def rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        """(Excel row number, {field: value}) for every row below the header that is not blank; values through
        cell_value(), text cells checked for control characters and line breaks (see problems())."""
        columns = [(index, column.key) for index, column in sorted(self.columns.items())]
        for number, values in self._rows:  # open_sheet() counted them: at most max_rows below the header
            record = {}
            width = len(values)
            for index, key in columns:
                if index >= width:
                    break
                value = values[index]
                kind = type(value)
                if kind is str:
                    if not value:
                        continue
                    if value[0] == QUOTE:
                        value = restore(value)  # an apostrophe our export put before a formula
                    value = value.strip()
                    if _SUSPECT.search(value):  # every import cell holds one line of text
                        self.cell_problems.setdefault(number, []).append((key, text_problem(value)))
                        continue
                    if value:
                        record[key] = value
                elif kind is float:
                    record[key] = int(value) if value.is_integer() and -EXACT_FLOAT < value < EXACT_FLOAT else value
                else:
                    record[key] = value  # cell_value()'s other cases, inlined: this loop sees every cell
            if record or number in self.cell_problems:
                yield number, record

    def problems(self, number: int) -> list[tuple[str, str]]:
        """(field, message) of the cells of row `number` that the reader refused (control characters, line
        breaks); the parser reports them as that row's errors."""
        return self.cell_problems.pop(number, [])

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
        self._rows = None


def open_sheet(stream, columns: tuple[Column, ...], *, max_rows: int) -> Sheet:
    """Open the data sheet of a workbook and map its header row; raise ReadError when that is impossible."""
    try:
        check_workbook(stream, max_unzipped=max(MIN_UNZIPPED, max_rows * UNZIPPED_PER_ROW),
                       max_row=max_rows + HEADER_SCAN_ROWS, max_column=MAX_COLUMNS)
    except Refused as refused:
        if refused.kind == "rows":
            raise ReadError(_("文件超过单次导入上限 %(limit)s 行，请分批导入。", limit=max_rows)) from None
        raise ReadError(str(refused)) from None
    except Exception as exc:  # noqa: BLE001 (whatever a broken zip raises, the answer is the same message)
        raise unreadable(exc) from None
    workbook = None
    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        sheet = workbook.get_sheet_by_name(_data_sheet(workbook))
        rows, first_column = _numbered(sheet)
        header_row, mapped, ignored = _find_header(rows, header_index(columns), columns[0], first_column)
        last_row = sheet.end[0] + 1 if sheet.end else 0  # the last row holding a value
    except BaseException as exc:
        if workbook is not None:
            workbook.close()
        raise _read_error(exc) from None
    total = last_row - header_row if last_row > header_row else None
    if total is not None and total > max_rows:
        workbook.close()
        raise ReadError(_("文件有 %(count)s 行，超过单次导入上限 %(limit)s 行，请分批导入。", count=total, limit=max_rows))
    return Sheet(mapped, header_row, ignored, total, rows, workbook, first_column=first_column)


def _data_sheet(workbook: CalamineWorkbook) -> str:
    """The sheet named 企业与指标, else the first worksheet (not a chart sheet)."""
    if DATA_SHEET in workbook.sheet_names:
        return DATA_SHEET
    return next(m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet)


def _numbered(sheet) -> tuple[Iterator[tuple[int, list]], int]:
    """(Excel row number, values) of every row of the sheet's used range, and the 0-based column of each row's first
    value. python-calamine 0.9 yields rows from row 1 but columns from the first used one; which way it counts is
    read off the first row (an empty row 1 when the range starts lower, as wide as the range or as its last column),
    so another version counting otherwise still numbers every cell right."""
    start_row, start_column = sheet.start or (0, 0)
    rows = iter(sheet.iter_rows())
    first = next(rows, None)
    if first is None:
        return iter(()), 0
    first_row = start_row if any(value != "" for value in first) else 0
    first_column = start_column if len(first) == sheet.width else 0
    return _guarded(itertools.chain((first,), rows), first_row), first_column


def _guarded(rows: Iterator[list], first_row: int) -> Iterator[tuple[int, list]]:
    """The rows numbered; an error on the way (calamine converts each row as it is asked for) is a ReadError."""
    try:
        yield from enumerate(rows, start=first_row + 1)
    except BaseException as exc:
        raise _read_error(exc) from None


def _read_error(exc: BaseException) -> BaseException:
    """ReadError for what calamine raises: its own errors, and a Rust panic (pyo3's PanicException derives from
    BaseException, not Exception); anything else, such as KeyboardInterrupt, stays as it is."""
    if isinstance(exc, ReadError):
        return exc
    if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":
        return unreadable(exc)
    return exc


def unreadable(exc: BaseException) -> ReadError:
    """The message for a file that calamine or zipfile cannot read, whatever it raised."""
    log.info("unreadable upload: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, zipfile.BadZipFile | zipfile.LargeZipFile | EOFError):
        return ReadError(_("文件无法读取：不是有效的 .xlsx 文件，或文件已损坏、不完整。请用 Excel 另存为 .xlsx 后重试。"))
    return ReadError(_("文件无法读取：文件内容已损坏或格式不受支持（%(detail)s）。请用 Excel 另存为 .xlsx 后重试。",
                       detail=type(exc).__name__))


def _find_header(rows: Iterator, index: dict[str, Column], key: Column,
                 first_column: int) -> tuple[int, dict[int, Column], list]:
    for number, values in rows:
        if number > HEADER_SCAN_ROWS:
            break
        names = [normalize_header(cell_value(v)) for v in values]
        if normalize_header(key.header) not in names and not any(normalize_header(a) in names for a in key.aliases):
            continue
        mapped, ignored, seen = {}, [], {}
        for i, name in enumerate(names):
            column = index.get(name)
            if column is None:
                if name:
                    ignored.append(str(cell_value(values[i])).strip())
                continue
            if column.key in seen:
                raise ReadError(_("第 %(row)s 行的列“%(header)s”出现了两次（%(a)s 列和 %(b)s 列）。", row=number,
                                  header=column.header, a=get_column_letter(seen[column.key] + 1 + first_column),
                                  b=get_column_letter(i + 1 + first_column)))
            seen[column.key] = i
            mapped[i] = column
        return number, mapped, ignored
    raise ReadError(_("在前 %(n)s 行中没有找到表头“%(header)s”，请使用下载的模板。", n=HEADER_SCAN_ROWS,
                      header=key.header))


def parse_date(raw, *, today: date | None = None) -> date:
    """Return a date from an Excel date cell, 2019-04-12 / 2019/4/12 / 2019年4月12日 / 20190412; CellError else."""
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        value = _date_from_number(raw)
    else:
        value = _date_from_text(str(raw).strip())
    if today is not None and value > today:
        raise CellError(_("日期晚于今天：%(value)s", value=value.isoformat()))
    return value


def _date_from_number(raw) -> date:
    if float(raw).is_integer() and _DATE_DIGITS.match(str(int(raw))):
        return _date_from_text(str(int(raw)))
    if 1 <= raw < 2958466:  # an Excel serial day number in a cell not formatted as a date
        return _EXCEL_EPOCH + timedelta(days=int(raw) + (raw < 60))  # Excel's 1900 counts a 29 February that was not
    raise CellError(_("日期格式应为 YYYY-MM-DD：%(value)s", value=raw))


def _date_from_text(text: str) -> date:
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if not match:
        raise CellError(_("日期格式应为 YYYY-MM-DD：%(value)s", value=text[:30]))
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_("日期不存在：%(value)s", value=text)) from None
