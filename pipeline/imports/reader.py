"""Read an uploaded .xlsx as plain rows: streaming (read_only, values_only), headers found by name."""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from pipeline.hygiene import text_problem
from pipeline.imports.columns import Column, header_index, normalize_header
from pipeline.sheet_cells import restore

HEADER_SCAN_ROWS = 10
MIN_UNZIPPED = 64 * 1024 * 1024  # bytes a workbook may unpack to, at least…
UNZIPPED_PER_ROW = 4096  # …or this much per row allowed (PIPELINE_IMPORT_MAX_ROWS): ~400 MB for 100,000 rows
PROLOG_BYTES = 4096
DATA_SHEET = "企业与指标"
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")

Progress = Callable[[int, int | None], None]
log = logging.getLogger(__name__)


class ReadError(ValueError):
    """The file as a whole cannot be read (not an .xlsx, no header row…); the message is Chinese."""


class CellError(ValueError):
    """One cell's value is wrong; the message is Chinese."""


@dataclass
class Sheet:
    """An opened worksheet: which column index holds which field, and the data rows to come."""

    columns: dict[int, Column]
    header_row: int
    ignored: list[str] = field(default_factory=list)
    total: int | None = None
    max_rows: int | None = None
    _rows: Iterator | None = None
    _workbook: object = None
    cell_problems: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    def letter(self, key: str) -> str:
        """Column letter of a field (for error messages)."""
        return next((get_column_letter(i + 1) for i, c in self.columns.items() if c.key == key), "")

    def header(self, key: str) -> str:
        return next((c.header for c in self.columns.values() if c.key == key), key)

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns.values())

    def rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        """(Excel row number, {field: raw value}) for every row below the header that is not blank."""
        number = self.header_row
        for values in self._rows:
            number += 1
            if self.max_rows is not None and number - self.header_row > self.max_rows:
                # the sheet's dimension was missing or wrong: stop at the limit all the same
                raise ReadError(_("文件超过单次导入上限 %(limit)s 行，请分批导入。", limit=self.max_rows))
            record = {}
            for index, column in self.columns.items():
                if index < len(values):
                    value = values[index]
                    if isinstance(value, str):
                        value = restore(value).strip()  # an apostrophe our export put before a formula
                        problem = text_problem(value)  # every import cell holds one line of text
                        if problem:
                            self.cell_problems.setdefault(number, []).append((column.key, problem))
                            continue
                    if value is not None and value != "":
                        record[column.key] = value
            if record or number in self.cell_problems:
                yield number, record

    def problems(self, number: int) -> list[tuple[str, str]]:
        """(field, message) of the cells of row `number` that the reader refused (control characters, line
        breaks); the parser reports them as that row's errors."""
        return self.cell_problems.pop(number, [])

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()


def open_sheet(stream, columns: tuple[Column, ...], *, max_rows: int) -> Sheet:
    """Open the data sheet of a workbook and map its header row; raise ReadError when that is impossible."""
    check_archive(stream, max_unzipped=max(MIN_UNZIPPED, max_rows * UNZIPPED_PER_ROW))
    workbook = None
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
        declared = sheet.max_row  # the <dimension> the file claims: a hint for progress, not a limit
        sheet.reset_dimensions()  # read every row there is, also below a wrong dimension (never drop rows)
        rows = _guarded(sheet.iter_rows(values_only=True))
        header_row, mapped, ignored = _find_header(rows, header_index(columns), columns[0])
    except Exception as exc:
        if workbook is not None:
            workbook.close()
        raise exc if isinstance(exc, ReadError) else unreadable(exc) from None
    total = declared - header_row if declared and declared > header_row else None
    if total is not None and total > max_rows:
        workbook.close()
        raise ReadError(_("文件有 %(count)s 行，超过单次导入上限 %(limit)s 行，请分批导入。", count=total, limit=max_rows))
    return Sheet(mapped, header_row, ignored, total, max_rows, rows, workbook)


def check_archive(stream, *, max_unzipped: int) -> None:
    """Refuse, before openpyxl parses anything, a file that is not a zip, unpacks to more than max_unzipped bytes
    (a zip bomb: the sizes it declares bound what zipfile will unpack) or has an XML part with a DTD (entities,
    "billion laughs", external references; openpyxl parses through defusedxml, which refuses them too)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > max_unzipped:
                raise ReadError(_("文件无法读取：解压后超过 %(mb)s MB，请拆分后分批导入。",
                                  mb=max_unzipped // (1024 * 1024)))
            for member in members:
                if member.filename.endswith((".xml", ".rels")) and _has_dtd(archive, member):
                    raise ReadError(_("文件无法读取：文件中含有不允许的 XML 声明（DTD / 实体）。"))
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 (whatever a broken zip raises, the answer is the same message)
        raise unreadable(exc) from None
    finally:
        stream.seek(0)


def _has_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    with archive.open(member) as part:
        head = part.read(PROLOG_BYTES)  # a DTD can only stand before the root element
    return any(mark in head.replace(b"\x00", b"").upper() for mark in (b"<!DOCTYPE", b"<!ENTITY"))


def unreadable(exc: Exception) -> ReadError:
    """The message for a file that openpyxl or zipfile cannot read, whatever it raised."""
    log.info("unreadable upload: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, zipfile.BadZipFile | zipfile.LargeZipFile | EOFError):
        return ReadError(_("文件无法读取：不是有效的 .xlsx 文件，或文件已损坏、不完整。请用 Excel 另存为 .xlsx 后重试。"))
    return ReadError(_("文件无法读取：文件内容已损坏或格式不受支持（%(detail)s）。请用 Excel 另存为 .xlsx 后重试。",
                       detail=type(exc).__name__))


def _guarded(rows: Iterator) -> Iterator:
    """The sheet's rows; a parse error on the way (openpyxl reads the sheet as it goes) becomes a ReadError."""
    try:
        yield from rows
    except Exception as exc:  # noqa: BLE001 (a broken part may raise anything from the XML parser or openpyxl)
        raise unreadable(exc) from None


def _find_header(rows: Iterator, index: dict[str, Column], key: Column) -> tuple[int, dict[int, Column], list]:
    for number in range(1, HEADER_SCAN_ROWS + 1):
        values = next(rows, None)
        if values is None:
            break
        names = [normalize_header(v) for v in values]
        if normalize_header(key.header) not in names and not any(normalize_header(a) in names for a in key.aliases):
            continue
        mapped, ignored, seen = {}, [], {}
        for i, name in enumerate(names):
            column = index.get(name)
            if column is None:
                if name:
                    ignored.append(str(values[i]).strip())
                continue
            if column.key in seen:
                raise ReadError(_("第 %(row)s 行的列“%(header)s”出现了两次（%(a)s 列和 %(b)s 列）。", row=number,
                                  header=column.header, a=get_column_letter(seen[column.key] + 1),
                                  b=get_column_letter(i + 1)))
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
        return from_excel(raw).date()
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
