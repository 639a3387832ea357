"""The base of every form: what no field may hold is refused here, so that each form checks only its own shape."""

from __future__ import annotations

import math
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FloatField,
    IntegerField,
    StringField,
    TextAreaField,
    ValidationError,
)

from pipeline.hygiene import MAX_INT, text_problem

MAX_AMOUNT = 10**12  # larger than any figure in 万元 or people; Numeric columns hold it
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2199, 12, 31)


def _text(form, field) -> None:
    if isinstance(field.data, str):
        problem = text_problem(field.data, single_line=not isinstance(field, TextAreaField))
        if problem:
            raise ValidationError(problem)


def _integer(form, field) -> None:
    if field.data is not None and not -MAX_INT <= field.data <= MAX_INT:
        raise ValidationError(_l("数值超出允许范围。"))


def _amount(form, field) -> None:
    if field.data is not None and (not math.isfinite(field.data) or abs(field.data) >= MAX_AMOUNT):
        raise ValidationError(_l("数值超出允许范围。"))


def _date(form, field) -> None:
    if field.data is not None and not FIRST_DATE <= field.data <= LAST_DATE:
        raise ValidationError(_l("日期应在 %(first)s 至 %(last)s 之间。", first=FIRST_DATE.isoformat(),
                                 last=LAST_DATE.isoformat()))


# A text input (StringField and its kinds: password, e-mail, hidden…) has one line; a text area may have several.
_CHECKS = ((StringField, _text), (IntegerField, _integer), (DecimalField, _amount), (FloatField, _amount),
           (DateField, _date))


class Form(FlaskForm):
    """FlaskForm that refuses control characters, line breaks in one-line fields, integers past the database's
    columns, non-finite or huge amounts and dates outside 1900–2199 in every field, as field errors."""

    def validate(self, extra_validators=None) -> bool:
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            extra.setdefault(name, []).extend(check for kind, check in _CHECKS if isinstance(field, kind))
        return super().validate(extra)
