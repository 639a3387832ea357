"""Real files of every allowed kind, made in memory, and the upload helper."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from pipeline.documents.models import DocumentType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


def zip_with(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.fixture
def doc_type(db):
    def get(code: str) -> DocumentType:
        return db.session.scalar(select(DocumentType).where(DocumentType.code == code))

    return get


@pytest.fixture
def post_file(client):
    def post(url: str, content: bytes, filename: str = "审计报告.pdf", **fields):
        data = {"file": (io.BytesIO(content), filename), **{k: str(v) for k, v in fields.items()}}
        return client.post(url, data=data, content_type="multipart/form-data")

    return post
