"""The dashboard's county builders, a PDF-to-text helper and a stand-in outbox that records what was queued."""

from __future__ import annotations

import io
import sys
import types

import pytest

from tests.dashboard.conftest import add_history, count_queries, known_county  # noqa: F401 (fixtures)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def outbox(monkeypatch, app):
    """Stand in for pipeline.notifications.queue_email (the outbox branch) and record each queued message."""
    queued = []
    module = types.ModuleType("pipeline.notifications")
    module.queue_email = lambda **message: queued.append(message)
    monkeypatch.setitem(sys.modules, "pipeline.notifications", module)
    monkeypatch.setitem(app.config, "PIPELINE_LEADER_EMAILS", ["chen@example.gov.cn", "li@example.gov.cn"])
    return queued


@pytest.fixture
def fake_pdf(monkeypatch):
    """Skip WeasyPrint where a test is about what happens to the PDF, not about the PDF (each render takes seconds)."""
    monkeypatch.setattr("pipeline.reports.services.render_report_pdf", lambda context: b"%PDF-1.7 " + context.month_key.encode())
