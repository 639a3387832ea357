"""PDF rendering shared by certificates, dossiers and reports: WeasyPrint, a template and plain values.

Templates get one frozen dataclass of primitives (never ORM objects), so that what a PDF shows is decided before
rendering starts and can be stored as a snapshot. The URL fetcher reads files under static/ and data: URLs only.

Fonts (font_css()): a family list that Pango walks per glyph. WenQuanYi Micro Hei first: TrueType, cheap to
subset. Then the supplement font (pipeline/pdf_fonts.py: the Han characters WenQuanYi lacks, CJK Extension A such as
䶮 㮾, cut from the Simplified-Chinese Noto face) through an @font-face under static/. Then the fontconfig family
"Noto Sans CJK SC" itself, not an @font-face source: WeasyPrint loads an @font-face `local()`/`url()` source by
reading the whole file through the URL fetcher (20 MB outside static/) and registering every face of the .ttc
under the declared name, so the Japanese face (index 0) can win; the fontconfig family name selects the
Simplified-Chinese face. Embedded subsets keep their PostScript names (NotoSansCJKsc-…), which the tests check.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from pipeline.pdf_fonts import PRIMARY_FAMILY, SOURCE_FAMILY, SUPPLEMENT_FAMILY, SUPPLEMENT_PATH

FONT_FAMILIES = (PRIMARY_FAMILY, SUPPLEMENT_FAMILY, SOURCE_FAMILY)
PLAIN_TYPES = (str, int, float, bool, type(None), date, datetime, Decimal)


class PdfError(RuntimeError):
    """Rendering failed (a refused resource, a broken template); nothing was produced."""


def check_plain(value, path: str = "document") -> None:
    """Refuse anything but frozen dataclasses, tuples and primitives: a template must never reach the database."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if not type(value).__dataclass_params__.frozen:
            raise TypeError(f"{path}: {type(value).__name__} must be a frozen dataclass")
        for field in dataclasses.fields(value):
            check_plain(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            check_plain(item, f"{path}[{index}]")
    elif not isinstance(value, PLAIN_TYPES):
        raise TypeError(f"{path}: {type(value).__name__} is not a plain value")


class StaticOnlyFetcher(URLFetcher):
    """Fetch data: URLs and files under static/; refuse every host and every other file, and stop the rendering."""

    def __init__(self, static_root: Path):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True)
        self._static_root = Path(static_root).resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(url2pathname(parts.path)).resolve()
            if path.is_relative_to(self._static_root) and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})
        raise ValueError(f"refused to fetch {url!r}: a PDF may only use files under static/")


_thread = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread: Pango's font maps are not thread-safe, and building one costs ~10 ms."""
    config = getattr(_thread, "font_config", None)
    if config is None:
        config = _thread.font_config = FontConfiguration()
    return config


def static_root() -> Path:
    return Path(current_app.static_folder)


def font_css(root: Path) -> str:
    """The @font-face of the supplement font (when it has been built) and the family list of every PDF."""
    families = FONT_FAMILIES
    face = ""
    if (root / SUPPLEMENT_PATH).is_file():
        face = f'@font-face {{ font-family: "{SUPPLEMENT_FAMILY}"; src: url({SUPPLEMENT_PATH}); }}\n'
    else:
        families = tuple(f for f in families if f != SUPPLEMENT_FAMILY)
    names = ", ".join(f'"{family}"' for family in families)
    return f"{face}html, svg text {{ font-family: {names}, sans-serif; }}\n"


def html_to_pdf(html: str, *, extra_css: tuple[str, ...] = ()) -> bytes:
    """Turn HTML (from one of our templates) into PDF bytes; relative URLs resolve under static/.

    extra_css comes after the font list, so a test or the bench can override the fonts."""
    root = static_root()
    fetcher = StaticOnlyFetcher(root)
    try:
        base_url = root.as_uri() + "/"
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        stylesheets = [CSS(string=css, base_url=base_url, url_fetcher=fetcher, font_config=_font_config())
                       for css in (font_css(root), *extra_css)]
        return document.write_pdf(stylesheets=stylesheets, font_config=_font_config())
    except (Exception, FatalURLFetchingError) as exc:  # a refused resource stops WeasyPrint with a BaseException
        raise PdfError(f"PDF rendering failed: {exc}") from exc


def render_html(template: str, document) -> str:
    """Render a PDF template in Chinese (official documents are Chinese whatever the reader's UI language)."""
    check_plain(document)
    with force_locale("zh"):
        return render_template(template, doc=document)


def render_pdf(template: str, document, *, extra_css: tuple[str, ...] = ()) -> bytes:
    """Render templates/pdf/<template> with `doc` = a frozen dataclass of primitives, and return the PDF bytes."""
    return html_to_pdf(render_html(template, document), extra_css=extra_css)


def qr_svg(data: str) -> str:
    """An inline SVG QR code (error correction M, 4-module quiet zone) that CSS sizes; made offline by segno."""
    qr = segno.make_qr(data, error="m")
    return qr.svg_inline(border=4, dark="#000", light="#fff", omitsize=True)
