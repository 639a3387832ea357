"""Render the monthly report to PDF with WeasyPrint.

MERGE: when the shared PDF infrastructure (pipeline/pdf.py, with the embedded Noto Sans CJK SC and its own URL
fetcher) lands on main, render_report_pdf() is the one function to switch over to it; nothing else here renders.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

TEMPLATE = "pdf/monthly_report.html"


def _static_root() -> Path:
    return Path(current_app.static_folder).resolve()


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        """Fetch files under static/ only: no other file, no network, no data: URL (the report needs none)."""

        def __init__(self, root: Path):
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)
            self.root = root

        def fetch(self, url, headers=None):
            check_report_url(url, self.root)
            return super().fetch(url, headers)

    return StaticOnlyFetcher


def check_report_url(url: str, root: Path) -> Path:
    """Return the static file a report URL points at; refuse (ValueError) anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ValueError(f"the report may not fetch {url!r}: only files under static/")
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"the report may not fetch {url!r}: outside static/")
    return path


def render_report_html(context) -> str:
    """The report as HTML, always in Chinese whatever the language of whoever asked for it."""
    with force_locale("zh"):
        return render_template(TEMPLATE, report=context)


def render_report_pdf(context) -> bytes:
    """Render the report context (a ReportContext of primitives) to PDF bytes."""
    from weasyprint import HTML  # heavy import: only where a PDF is made

    root = _static_root()
    html = HTML(string=render_report_html(context), base_url=root.as_uri() + "/",
                url_fetcher=_fetcher_class()(root))
    return html.write_pdf()
