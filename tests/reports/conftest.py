"""The dashboard's county builders, a PDF-to-text helper, leader addresses, and a fast stand-in for WeasyPrint."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from pipeline.mail.models import OutboxMessage
from tests.dashboard.conftest import add_history, count_queries, known_county  # noqa: F401 (fixtures)

LEADERS = ["chen@example.gov.cn", "li@example.gov.cn"]


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def queued(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def leaders(monkeypatch, app):
    monkeypatch.setitem(app.config, "PIPELINE_LEADER_EMAILS", list(LEADERS))
    return LEADERS


@pytest.fixture
def fake_pdf(monkeypatch):
    """Skip WeasyPrint where a test is about what happens to the PDF, not about the PDF (each render takes seconds)."""
    monkeypatch.setattr("pipeline.reports.services.render_report_pdf", lambda context: b"%PDF-1.7 " + context.month_key.encode())
