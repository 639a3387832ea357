"""Parse the firm/indicator sheet into plain JSON-ready rows and cell errors (no database writes).

A row: {"r": Excel row, "code": credit code, "firm": {field: value}, "year": fiscal year or None,
"fig": {figure: value} or None, "facts": {fact: value}}. Blank cells are left out: blank means "no change".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from pipeline.domain.credit_code import CreditCodeError, validate_credit_code
from pipeline.i18n import error_text
from pipeline.imports.columns import FACT_COLUMNS, FIGURE_COLUMNS, FIRM_COLUMNS
from pipeline.imports.reader import CellError, Progress, ReadError, Sheet, parse_date
from pipeline.indicators.values import MIN_FISCAL_YEAR, ValueProblem, check_facts, check_year, parse_count

EXAMPLE_CODE = "91330624MA2EXAMPL5"  # the template's example row: skipped, never imported
PROGRESS_EVERY = 2000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_LIMITS = {c.key: c.max_length for c in FIRM_COLUMNS if c.max_length}
_FIGURES = tuple(c.key for c in FIGURE_COLUMNS)
_REQUIRED_FIGURES = tuple(k for k in _FIGURES if k != "rd_domestic")
_FACTS = tuple(c.key for c in FACT_COLUMNS)


@dataclass
class CellProblem:
    row: int
    column: str  # letter
    header: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "header": self.header, "message": self.message}


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)
    errors: list[CellProblem] = field(default_factory=list)
    skipped_example: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    seen: int = 0


def check_columns(sheet: Sheet) -> None:
    """Refuse a sheet with some figure columns but not all of them (which ones are missing is said)."""
    present = [k for k in _REQUIRED_FIGURES if sheet.has(k)]
    if present and len(present) < len(_REQUIRED_FIGURES):
        missing = [c.header for c in FIGURE_COLUMNS if c.key in _REQUIRED_FIGURES and not sheet.has(c.key)]
        raise ReadError(_("指标列不完整，缺少：%(columns)s。", columns="、".join(missing)))


def parse_firm_sheet(sheet: Sheet, *, towns: set[str], industries: set[str], today: date,
                     progress: Progress | None = None) -> Parsed:
    """Parse every row; collect every cell error with its row and column."""
    check_columns(sheet)
    parsed = Parsed(ignored_columns=sheet.ignored)
    first_row_of: dict[str, int] = {}
    for number, raw in sheet.rows():
        parsed.seen += 1
        if progress and parsed.seen % PROGRESS_EVERY == 0:
            progress(parsed.seen, sheet.total)
        errors: list[CellProblem] = []

        def fail(key: str, message: str, number=number, errors=errors):
            errors.append(CellProblem(number, sheet.letter(key), sheet.header(key), message))

        for key, message in sheet.problems(number):
            fail(key, message)
        code = _code(raw, fail)
        if code == EXAMPLE_CODE:
            parsed.skipped_example = True
            continue
        if code and code in first_row_of:
            fail("credit_code", _("统一社会信用代码 %(code)s 与第 %(row)s 行重复。", code=code, row=first_row_of[code]))
        elif code:
            first_row_of[code] = number
        row = {"r": number, "code": code, "firm": _firm(raw, fail, towns, industries, today), "year": None,
               "fig": None, "facts": _facts(raw, fail)}
        row["year"], row["fig"] = _figures(raw, fail, today)
        parsed.errors.extend(errors)
        if not errors:
            parsed.rows.append(row)
    return parsed


def _code(raw: dict, fail) -> str | None:
    value = raw.get("credit_code")
    if value is None:
        fail("credit_code", _("缺少统一社会信用代码。"))
        return None
    if isinstance(value, int | float):
        value = str(int(value)) if float(value).is_integer() else str(value)
    try:
        return validate_credit_code(str(value))
    except CreditCodeError as exc:
        fail("credit_code", error_text(exc))
        return None


def _firm(raw: dict, fail, towns: set[str], industries: set[str], today: date) -> dict:
    values = {}
    for key, limit in _TEXT_LIMITS.items():
        if key in raw:
            text = _text(raw[key])
            if len(text) > limit:
                fail(key, _("超过 %(limit)s 个字。", limit=limit))
            values[key] = text
    if values.get("contact_email") and not _EMAIL.match(values["contact_email"]):
        fail("contact_email", _("邮箱格式不正确：%(value)s", value=values["contact_email"][:40]))
    for key, known in (("town", towns), ("industry", industries)):
        if key in raw:
            values[key] = _text(raw[key])
            if values[key] not in known:
                fail(key, unknown_name(key, values[key]))
    if "registered_on" in raw:
        try:
            values["registered_on"] = parse_date(raw["registered_on"], today=today).isoformat()
        except CellError as exc:
            fail("registered_on", str(exc))
    return values


def _figures(raw: dict, fail, today: date) -> tuple[int | None, dict | None]:
    if not any(key in raw for key in _FIGURES):
        return None, None
    year = today.year - 1
    if "fiscal_year" in raw:
        try:
            year = parse_count(raw["fiscal_year"])
            if not MIN_FISCAL_YEAR <= year <= today.year:
                raise ValueProblem(_("年度应在 %(low)s–%(high)s 之间。", low=MIN_FISCAL_YEAR, high=today.year))
        except ValueProblem as exc:
            fail("fiscal_year", str(exc))
    checked = check_year({key: raw.get(key) for key in _FIGURES})
    for key, message in checked.errors.items():
        fail(key, message)
    return year, {key: str(value) for key, value in checked.values.items() if value is not None}


def _facts(raw: dict, fail) -> dict:
    present = {key: raw[key] for key in _FACTS if key in raw}
    checked = check_facts(present, tuple(present))
    for key, message in checked.errors.items():
        fail(key, message)
    return checked.values


def unknown_name(key: str, value: str) -> str:
    """The message for a town or industry name the county does not have."""
    if key == "town":
        return _("未知的乡镇/街道：%(value)s", value=value[:30])
    return _("未知的行业：%(value)s", value=value[:30])


def _text(value) -> str:
    if type(value) is str:
        return value  # the reader stripped it
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    return str(value).strip()
