"""Everything an uploaded workbook must pass before python-calamine parses it.

calamine (Rust) reads a worksheet into one dense grid of (last row − first row + 1) × (last column − first column + 1)
cells of 32 bytes each, and reserves room for as many shared strings as the file declares. A file of a few kilobytes
with one value at XFD1048576, or with uniqueCount="1000000000", makes it ask for hundreds of gigabytes, and a failed
allocation aborts the whole worker process: there is no exception to catch. So every part of the archive is read
here first, in 4 MB blocks (zipfile stops at each part's declared size, and calamine refuses a part larger than it
declares, so the sum of declared sizes bounds what either unpacks):

- not a zip, or an OpenDocument or .xlsb package (calamine would open those too): not a valid .xlsx;
- declared sizes over `max_unzipped` (a zip bomb), a DTD before the root element (entities, external references;
  calamine's parser never expands them, but the message is clearer), a NUL byte in an XML part (XML has none;
  UTF-16 or broken markup): refused as before;
- a shared-strings table declaring more strings than its part could hold;
- a value beyond `max_row` or `max_column`. calamine places a cell at its `r` attribute (the last one when there are
  several), or after the cell before it when it has none. The fast path, a few regular-expression passes over the
  raw bytes, proves that every cell of a part names its position as `<c r="A1"…` and that every `r` attribute of
  the part is such a reference within the limits; a part where that fails (cells without `r`, prefixed element
  names, odd quoting) is walked again with expat, following calamine's own rules for the positions.

The parts of a normal 50,000-row workbook pass the fast path in about 0.2 s of CPU.
"""

from __future__ import annotations

import re
import xml.parsers.expat
import zipfile
from functools import cache

from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

BLOCK = 4 * 1024 * 1024
PROLOG_BYTES = 4096
STRING_BYTES = 5  # the smallest entry of a shared-strings table, <si/>
OTHER_FORMATS = ("mimetype", "xl/workbook.bin")  # OpenDocument, .xlsb: calamine's other zip formats
_FIRST_NOT_R = re.compile(rb"<c(?! r=)[\s/>]")  # a cell whose first attribute is not r (or that has none)
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")  # <x:c …>, <x:row …>
_UNIQUE_COUNT = re.compile(rb"uniqueCount\s*=\s*[\"']\s*\+?0*(\d+)")
_DTD = (b"<!DOCTYPE", b"<!ENTITY")
_SHEET_DATA = b"sheetData"


class Refused(ValueError):
    """The workbook must not be parsed; the message is Chinese. `kind` is 'rows' (a value past `max_row`: the
    caller words the row limit its own way), 'columns', 'broken' or 'dtd'."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


def check_workbook(stream, *, max_unzipped: int, max_row: int, max_column: int) -> None:
    """Refuse (Refused, or zipfile's own errors for a file that is not a zip) a workbook python-calamine must not
    read; rewinds the stream. `max_row` and `max_column` are 1-based: the last row and column a value may stand in."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            names = {m.filename.replace("\\", "/").lstrip("/").lower() for m in members}
            if any(name in names for name in OTHER_FORMATS):
                raise Refused(_("文件无法读取：不是有效的 .xlsx 文件，或文件已损坏、不完整。请用 Excel 另存为 .xlsx 后重试。"),
                              "broken")
            if sum(m.file_size for m in members) > max_unzipped:
                raise Refused(_("文件无法读取：解压后超过 %(mb)s MB，请拆分后分批导入。",
                                mb=max_unzipped // (1024 * 1024)), "broken")
            for member in members:
                _check_part(archive, member, max_row, max_column)
    finally:
        stream.seek(0)


def _check_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, max_row: int, max_column: int) -> None:
    far = _far_reference(max_row, max_column)
    named_xml = member.filename.lower().endswith((".xml", ".rels"))
    unusual = sheet = has_nul = False
    first = True
    with archive.open(member) as part:
        carry = b""
        while True:
            chunk = part.read(BLOCK)
            data = carry + chunk
            if chunk:  # whole tags in this block, the rest with the next one (a '>' ends every tag)
                cut = data.rfind(b">") + 1
                data, carry = data[:cut], data[cut:]
            if data:
                if first:  # a DTD can only stand before the root element
                    head = data[:PROLOG_BYTES].replace(b"\x00", b"").upper()
                    if any(mark in head for mark in _DTD):
                        raise Refused(_("文件无法读取：文件中含有不允许的 XML 声明（DTD / 实体）。"), "dtd")
                    first = False
                has_nul = has_nul or b"\x00" in data
                _check_unique_count(data, member.file_size)
                if not sheet and _SHEET_DATA in data:
                    sheet = True  # calamine takes cells only after <sheetData>: the blocks before it hold none
                if sheet and not unusual:
                    unusual = bool(_FIRST_NOT_R.search(data) or _PREFIXED.search(data) or far.search(data))
            if not chunk:
                break
    if has_nul and (named_xml or sheet):
        raise Refused(_("文件无法读取：不是有效的 .xlsx 文件，或文件已损坏、不完整。请用 Excel 另存为 .xlsx 后重试。"),
                      "broken")
    if sheet and unusual:  # only a part with <sheetData> gives calamine cells
        _walk_cells(archive, member, max_row, max_column)


def _check_unique_count(data: bytes, part_size: int) -> None:
    for match in _UNIQUE_COUNT.finditer(data):
        if int(match.group(1)) > part_size // STRING_BYTES + 1:
            raise Refused(_("文件无法读取：文件内容已损坏或格式不受支持（%(detail)s）。请用 Excel 另存为 .xlsx 后重试。",
                            detail="sharedStrings"), "broken")


@cache
def _far_reference(max_row: int, max_column: int) -> re.Pattern:
    """Any r attribute (any element, any spacing or quoting) whose value is not "A1"-style, upper case, without
    leading zeros and within the limits."""
    return re.compile(rb"r(?<=\sr)\s*=\s*(?!\"(?:" + _columns_up_to(max_column) + rb")?" + _number_up_to(max_row)
                      + rb"\")")


def _columns_up_to(limit: int) -> bytes:
    """A pattern for the column letters A … the letters of column `limit` (at most two letters)."""
    if not 1 <= limit <= 26 * 27:
        raise ValueError("the column limit must be between A and ZZ")
    if limit <= 26:
        return b"[A-%c]" % (64 + limit)
    first, second = divmod(limit - 1, 26)  # first: 1 = A … 26 = Z; second: 0 = A … 25 = Z
    options = [b"[A-Z]"]
    if first > 1:
        options.append(b"[A-%c][A-Z]" % (64 + first - 1))
    options.append(b"%c[A-%c]" % (64 + first, 65 + second))
    return b"|".join(options)


def _number_up_to(limit: int) -> bytes:
    """A pattern for the whole numbers 1 … limit written without leading zeros."""
    digits = str(limit).encode()
    options = [rb"[1-9]\d{0,%d}" % (len(digits) - 2)] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = ord("1") if i == 0 else ord("0")
        if digit > low:
            rest = len(digits) - i - 1
            options.append(digits[:i] + b"[%c-%c]" % (low, digit - 1) + (rb"\d{%d}" % rest if rest else b""))
    options.append(digits)
    return b"(?:" + b"|".join(options) + b")"


def _walk_cells(archive: zipfile.ZipFile, member: zipfile.ZipInfo, max_row: int, max_column: int) -> None:
    """Follow every cell and row of a part the way calamine places them, with expat: a cell at its r attribute, else
    one column after the cell before it; a row at its r attribute, else one below the row before it (calamine
    expands <c/> and <row/> to a start and an end). Markup expat refuses, and a cell or row inside a cell, are
    refused: calamine would read them in ways this walk does not follow."""
    walk = _CellWalk(max_row, max_column)
    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = walk.start, walk.end
    try:
        with archive.open(member) as part:
            while chunk := part.read(BLOCK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (xml.parsers.expat.ExpatError, ValueError) as exc:
        if isinstance(exc, Refused):
            raise
        raise Refused(_("文件无法读取：文件内容已损坏或格式不受支持（%(detail)s）。请用 Excel 另存为 .xlsx 后重试。",
                        detail="XML"), "broken") from None


class _CellWalk:
    def __init__(self, max_row: int, max_column: int):
        self.max_row, self.max_column = max_row, max_column
        self.row = self.column = 0  # 0-based, as calamine counts
        self.in_cell = self.in_row = False

    def start(self, name: str, attributes: dict) -> None:
        local = name.rpartition(":")[2]
        if local not in ("c", "row"):
            return
        if self.in_cell or (local == "row" and self.in_row):
            raise Refused(_("文件无法读取：文件内容已损坏或格式不受支持（%(detail)s）。请用 Excel 另存为 .xlsx 后重试。",
                            detail="XML"), "broken")
        reference = attributes.get("r")
        if local == "row":
            self.in_row = True
            if reference is not None:
                self.row = _position(reference, need_column=False)[0]
            return
        self.in_cell = True
        row, column = _position(reference, need_column=True) if reference is not None else (self.row, self.column)
        self.column = column
        check_position(row, column, self.max_row, self.max_column)

    def end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "c" and self.in_cell:
            self.in_cell = False
            self.column += 1
        elif local == "row":
            self.in_row = False
            self.row += 1
            self.column = 0


def _position(reference: str, *, need_column: bool) -> tuple[int, int]:
    """(row, column), 0-based, of a reference as calamine reads it (letters of either case, then digits)."""
    match = re.fullmatch(r"([A-Za-z]*)([0-9]+)", reference)
    if not match or (need_column and not match.group(1)) or int(match.group(2)) == 0:
        raise ValueError(reference)  # calamine refuses the file too
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, column - 1


def check_position(row: int, column: int, max_row: int, max_column: int) -> None:
    """Refuse a value at (row, column), 0-based, past the limits (1-based: the last row and column allowed)."""
    if row >= max_row:
        raise Refused(_("文件超过单次导入上限 %(limit)s 行，请分批导入。", limit=max_row), "rows")
    if column >= max_column:
        raise Refused(_("文件无法读取：第 %(row)s 行的值超出了可读取的列（最多到 %(last)s 列）。请删除多余的列后重试。",
                        row=row + 1, last=get_column_letter(max_column)), "columns")
