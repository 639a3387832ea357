"""Render the monthly report to PDF through the shared PDF pipeline (pipeline/pdf.py: static-only fetcher, fonts)."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from pipeline.pdf import html_to_pdf

TEMPLATE = "pdf/monthly_report.html"


def render_report_html(context) -> str:
    """The report as HTML, always in Chinese whatever the language of whoever asked for it."""
    with force_locale("zh"):
        return render_template(TEMPLATE, report=context)


def render_report_pdf(context) -> bytes:
    """Render the report context (a ReportContext of primitives) to PDF bytes."""
    return html_to_pdf(render_report_html(context))
