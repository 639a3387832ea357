"""Languages (Simplified Chinese first, English available) and how dates and times are shown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations, gettext
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from pipeline.domain.periods import Period
from pipeline.domain.text import N_, Msg, render
from pipeline.extensions import babel

# Catalog folder names and the selector's answers must match exactly: 'zh' and 'en', nothing else.
LANGUAGES = {"zh": "中文", "en": "English"}
# Texts of the two tracks the migrations seed (short names, number hints): they have entries in the catalog. What
# an administrator types for other tracks is data and shows as typed.
SEEDED_TRACK_TEXTS = (N_("科小"), N_("高企"), N_("入库登记编号以登记年份开头（如 2026330624…）"),
                      N_("GR + 发证年份 4 位 + 省份代码 2 位 + 6 位数字（如 GR202633000001）"))


def select_locale() -> str:
    """Pick the user's saved language, else the session's, else the browser's best match, else Chinese."""
    if not has_request_context():  # CLI commands, jobs, benchmarks: messages in Chinese
        return "zh"
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(list(LANGUAGES), default="zh") if request else "zh"


def current_language() -> str:
    state = _language_state()
    return state[2] if state else "zh"


def _language_state() -> tuple | None:
    """(locale, catalog, language code) of the current context, looked up once per locale.

    A page calls gettext hundreds of times, and Flask-Babel's lookup costs several context-local reads and a locale
    to string conversion per call (~45% of a list page's template time). Flask-Babel keeps the selected locale on
    its per-context namespace (g._flask_babel.babel_locale); force_locale() and refresh() replace that object, so a
    catalog kept beside it is reused only while the very same locale object is current. None outside a context."""
    try:
        namespace = g._flask_babel  # one context-local lookup
    except (AttributeError, RuntimeError):  # not looked up yet in this context, or no context
        namespace = None
    locale = getattr(namespace, "babel_locale", None)
    if locale is None:
        locale = get_locale()  # the first lookup in this context: Flask-Babel selects the locale and keeps it
        if locale is None:
            return None
        namespace = g.get("_flask_babel")
    state = getattr(namespace, "pipeline_language", None)
    if state is None or state[0] is not locale:
        state = (locale, get_translations(), str(locale))
        if namespace is not None:
            namespace.pipeline_language = state
    return state


def catalog_text(message: str) -> str:
    """A message in the current language, from the catalog of _language_state() (outside a context: as given)."""
    state = _language_state()
    return state[1].ugettext(message) if state else message


def quick_gettext(message: str, /, **variables) -> str:
    """Flask-Babel's gettext (the same catalog, the same %-formatting) through the catalog of _language_state():
    for text translated once per firm, which a province-wide export does 100,000 times per message."""
    text = catalog_text(message)
    return text % variables if variables else text


def translate_msg(message: Msg | str) -> str:
    """A domain message (gap sentence, period or credit-code error) in the current language; text passes as is."""
    return render(message, catalog_text) if isinstance(message, Msg) else message


def error_text(exc: Exception) -> str:
    """The message of a domain error (its argument may be a Msg) in the current language."""
    return translate_msg(exc.args[0]) if exc.args else str(exc)


@pass_eval_context
def template_gettext(eval_context, message: str, /, **variables) -> str:
    """The templates' _() and gettext(): Jinja's newstyle gettext (see _formatted) with the catalog from
    _language_state(). Positional-only, as Jinja's own: a variable may be called `message`."""
    return _formatted(eval_context, catalog_text(message), variables)


@pass_eval_context
def template_ngettext(eval_context, singular: str, plural: str, num: int, /, **variables) -> str:
    """The templates' ngettext(): Jinja's newstyle ngettext (`num` is a variable too: "%(num)s days"), with the
    catalog of _language_state()."""
    state = _language_state()
    text = state[1].ungettext(singular, plural, num) if state else (singular if num == 1 else plural)
    variables.setdefault("num", num)
    return _formatted(eval_context, text, variables)


def _formatted(eval_context, text: str, variables: dict) -> str:
    """A translation is markup in an HTML template, so its variables are escaped; % applies even without variables
    (%% becomes %), as in Jinja's newstyle gettext."""
    if eval_context.autoescape:
        text = Markup(text)  # noqa: S704 -- the catalog is ours and trusted, as in Jinja's own newstyle gettext
    return text % variables if variables or "%" in text else text


def select_timezone() -> str:
    return current_app.config["PIPELINE_TIMEZONE"]


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["PIPELINE_TIMEZONE"])


def local_now() -> datetime:
    return datetime.now(local_zone())


def local_today() -> date:
    return local_now().date()


def to_local(value: datetime) -> datetime:
    """A time in the bureau's zone; a naive time is UTC (what the database hands back), never the server's zone."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(local_zone())


def fmt_datetime(value: datetime | None) -> str:
    """Show a UTC time in the bureau's time zone as 2026-11-28 14:05 (naive means UTC, as in Flask-Babel).

    The pattern has only digits, the same in every UI language, so it is formatted directly: a board renders hundreds
    of dates, and Babel's pattern formatting costs ~0.1 ms each."""
    if value is None:
        return ""
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def fmt_date(value: date | None) -> str:
    """2026-11-28; a datetime is shown as its day in the bureau's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.isoformat()


def track_name(track) -> str:
    """A track's name in the UI language: tracks are data, so their English name is a column, not a catalog entry."""
    return track.name_en if current_language() == "en" and getattr(track, "name_en", "") else track.name


def track_text(text: str) -> str:
    """A seeded track's text in the UI language (see SEEDED_TRACK_TEXTS); any other text unchanged."""
    return catalog_text(text) if text and current_language() != "zh" else text


def track_short_name(track) -> str:
    """A track's short name (科小): the seeded tracks' have catalog entries, others fall back to the English name."""
    translated = track_text(track.short_name)
    if translated != track.short_name or current_language() == "zh":
        return translated
    return getattr(track, "name_en", "") or track.short_name


def period_label(period: Period) -> str:
    """A reporting period in the UI language: 2026年11月 / November 2026, 2026年第4季度 / Q4 2026, a date range."""
    if period.kind == "range":
        return gettext("%(first)s 至 %(last)s", first=fmt_date(period.first), last=fmt_date(period.last))
    skeleton = {"month": "yMMMM", "quarter": "yQQQ", "year": "y"}[period.kind]
    return format_skeleton(skeleton, period.first, locale=get_locale() or "zh")


def register_i18n(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(app.root_path) / "translations")
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["dt"] = fmt_datetime
    app.jinja_env.filters["d"] = fmt_date
    app.jinja_env.filters["track_name"] = track_name
    app.jinja_env.filters["track_short_name"] = track_short_name
    app.jinja_env.filters["track_text"] = track_text
    app.jinja_env.filters["period_label"] = period_label
    app.jinja_env.filters["msg"] = translate_msg
    # local_today: the date in every page's header on paper (templates/base.html, static/css/print.css).
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=current_language, local_today=local_today)
    # After babel.init_app, which installs Jinja's i18n callables: _(), gettext() and ngettext() are the hot ones.
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext)
