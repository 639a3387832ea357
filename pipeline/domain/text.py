"""Translatable text built by plain-Python rules: a label marker and a message with parameters.

The domain cannot import Flask-Babel, so it says *what* to show (a Chinese msgid with %(name)s fields) and the
web layer translates it when it shows it (pipeline.i18n.translate_msg). str() of a Msg is the Chinese sentence:
the JSON of `flask evaluate` and the Chinese pages read that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def N_(text: str) -> str:
    """Mark a label for translation (pybabel extracts N_); the template translates it when shown."""
    return text


LIST_SEPARATOR = N_("、")  # English pages join with ", "


@dataclass(frozen=True, slots=True)
class Msg:
    """A msgid and its parameters; a parameter may be a Msg or a Join itself."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self, _identity)

    def render(self, translate: Callable[[str], str]) -> str:
        return render(self, translate)


@dataclass(frozen=True, slots=True)
class Join:
    """Items (texts or Msgs) shown one after another with a separator that is translated too."""

    items: tuple
    separator: str = LIST_SEPARATOR


def M_(msgid: str, **params: object) -> Msg:
    """Build a translatable message (pybabel extracts M_ like gettext)."""
    return Msg(msgid, params)


def render(msg: Msg | str, translate: Callable[[str], str]) -> str:
    """Return the message in the language of `translate` (a gettext), parameters translated too."""
    if not isinstance(msg, Msg):
        return msg
    params = {name: _render_value(value, translate) for name, value in msg.params.items()}
    text = translate(msg.msgid)
    return text % params if params else text


def _render_value(value: object, translate: Callable[[str], str]) -> object:
    if isinstance(value, Msg):
        return render(value, translate)
    if isinstance(value, Join):
        return translate(value.separator).join(str(_render_value(item, translate)) for item in value.items)
    return value


def _identity(text: str) -> str:
    return text
