"""Every cell the product writes into a spreadsheet (Excel exports and templates, CSV manifests) goes through here.

A text that begins with =, +, -, @, a tab or a carriage return is what Excel, LibreOffice and WPS read as a formula
(or a DDE call) when the file is opened or the cell is edited: a firm could plant one in its own contact details and
have it run on an officer's machine. Such text gets a leading apostrophe (OWASP's CSV-injection guidance), which
every spreadsheet shows as data; numbers, dates and booleans are written as they are, so a real negative number
stays a number. The import's cell reader takes the apostrophe off again (restore), so an export re-imports unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]\x00-\x1f]")


def neutralise(value):
    """Return value as a spreadsheet keeps it as data: formula-like text behind an apostrophe, anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def neutralise_row(values: Iterable) -> list:
    """A row of cell values (for sheet.append or csv.writer.writerow), each through neutralise()."""
    return [neutralise(value) for value in values]


def restore(text: str) -> str:
    """Undo neutralise() on text read back from a spreadsheet (an apostrophe before formula-like text)."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def sheet_title(text: str) -> str:
    """A worksheet name Excel accepts (no \\ / * ? : [ ], at most 31 characters) made from any name."""
    return _TITLE_FORBIDDEN.sub("_", text).strip("'")[:31] or "Sheet"
