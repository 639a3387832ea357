"""Input that no page, form, import or command should ever accept, refused in one place with a clear message.

- Control characters (NUL and the other C0 and C1 codes; tab and line breaks are allowed only where text may have
  several lines): PostgreSQL cannot store a NUL at all, and a control code in a name breaks headers, files and mail.
- Names and other one-line values (every form's text input, every import cell, a firm's fields in the services)
  hold no line break or tab either.
- Integers from a URL, a query string or a form stay within the database's 32-bit columns.

The request gate (refuse_hostile_request, before every view) answers 400 for any control character in the path,
the query string, a form value or an uploaded file's name; pipeline/forms.py's Form base gives the same rules as
field errors; the import's cell reader and the firm services call text_problem() on every value they take.
"""

from __future__ import annotations

import re
import unicodedata

from flask import request
from flask_babel import gettext as _

MAX_INT = 2**31 - 1  # PostgreSQL integer; SQLite's 64-bit integer holds it too
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all C0/C1 controls but tab, LF and CR
_LINE_BREAK = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]")
_FILENAME_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u2028\u2029]+')


def has_control_characters(text: str) -> bool:
    """Whether text holds a control character other than tab, LF and CR."""
    return _CONTROL.search(text) is not None


def text_problem(text: str, *, single_line: bool = True) -> str | None:
    """The Chinese message for text no field should take (control characters; line breaks in a one-line value),
    or None."""
    if has_control_characters(text):
        return _("不能包含控制字符（如 NUL）。")
    if single_line and _LINE_BREAK.search(text):
        return _("只能填写一行，不能包含换行符或制表符。")
    return None


def bounded_int(value, *, minimum: int = -MAX_INT, maximum: int = MAX_INT) -> int | None:
    """An integer from text (or an int) within [minimum, maximum], else None; never an error."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value or "").strip()
        if not re.fullmatch(r"[+-]?\d{1,12}", text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def download_name(text: str, default: str = "download") -> str:
    """A file name for Content-Disposition made from any text (a firm's name may hold anything): no control
    characters, line breaks or path separators; werkzeug's send_file then writes it as RFC 6266 filename*."""
    cleaned = _FILENAME_UNSAFE.sub("_", unicodedata.normalize("NFC", text)).strip(" ._")
    return cleaned[:150] or default


def refuse_hostile_request():
    """before_request: a 400 with a clear message for a control character anywhere the views read input from."""
    from pipeline.errors import render_error

    values = [request.path, *request.args.keys(), *request.form.keys()]
    values += [v for _key, v in request.args.items(multi=True)]
    values += [v for _key, v in request.form.items(multi=True)]
    values += [f.filename or "" for _key, f in request.files.items(multi=True)]
    if any(has_control_characters(value) for value in values):
        return render_error(400, _("输入内容包含不允许的控制字符（如 NUL），请删除后重试。"))
    return None
