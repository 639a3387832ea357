"""Reading a firm's documents, always within what the user may see."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from pipeline.auth.models import User
from pipeline.auth.permissions import can_see_firm
from pipeline.documents.models import Document, DocumentType, DocumentVersion
from pipeline.extensions import db
from pipeline.web import MAX_ID


@dataclass
class DocumentRow:
    """A document with its current version first and the superseded ones after it."""

    document: Document
    versions: list[DocumentVersion] = field(default_factory=list)

    @property
    def current(self) -> DocumentVersion:
        return self.versions[0]

    @property
    def history(self) -> list[DocumentVersion]:
        return self.versions[1:]


def list_document_types(*, active_only: bool = True, firm_may_upload: bool = False) -> list[DocumentType]:
    stmt = select(DocumentType).order_by(DocumentType.sort_order, DocumentType.id)
    if active_only:
        stmt = stmt.where(DocumentType.active.is_(True))
    if firm_may_upload:
        stmt = stmt.where(DocumentType.firm_may_upload.is_(True))
    return list(db.session.scalars(stmt))


def list_firm_documents(firm_id: int) -> list[DocumentRow]:
    """The firm's documents by type order, newest year first, each with its versions newest first (two queries)."""
    versions = db.session.scalars(
        select(DocumentVersion).join(Document).join(DocumentType)
        .options(joinedload(DocumentVersion.uploaded_by))
        .where(Document.firm_id == firm_id)
        .order_by(DocumentType.sort_order, DocumentType.id, Document.fiscal_year.desc().nulls_last(),
                  Document.id.desc(), DocumentVersion.number.desc()))
    rows: dict[int, DocumentRow] = {}
    for version in versions:
        rows.setdefault(version.document_id, DocumentRow(version.document)).versions.append(version)
    if rows:  # one query for the documents and their types, not one per row
        db.session.scalars(select(Document).options(joinedload(Document.type)).where(Document.id.in_(rows))).all()
    return list(rows.values())


def documents_by_service(rows: list[DocumentRow]) -> dict[int, list[DocumentRow]]:
    by_service: dict[int, list[DocumentRow]] = defaultdict(list)
    for row in rows:
        if row.document.service_record_id is not None:
            by_service[row.document.service_record_id].append(row)
    return dict(by_service)


def get_version_or_404(version_id: int, for_user: User) -> DocumentVersion:
    """A version of a document of a firm the user may see (a firm user: its own firm only); anything else is 404."""
    version = db.session.get(DocumentVersion, version_id) if 0 < version_id <= MAX_ID else None
    if version is None or not can_see_firm(for_user, version.document.firm):
        abort(404)
    return version


def get_document_type_or_404(type_id: int) -> DocumentType:
    doc_type = db.session.get(DocumentType, type_id) if 0 < type_id <= MAX_ID else None
    if doc_type is None:
        abort(404)
    return doc_type


SLICE_BYTES = 1024 * 1024  # what a download reads from the database at a time


class _StoredBytes(io.RawIOBase):
    """A version's bytes read from the database a slice at a time through the engine (not the request's session:
    the response is sent after the request's context has ended)."""

    def __init__(self, engine, version_id: int, size: int):
        self.engine, self.version_id, self.size, self.position = engine, version_id, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        length = min(len(buffer), SLICE_BYTES, self.size - self.position)
        if length <= 0:
            return 0
        with self.engine.connect() as connection:
            data = connection.scalar(select(func.substr(DocumentVersion.content, self.position + 1, length))
                                     .where(DocumentVersion.id == self.version_id)) or b""
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)


def open_version(version: DocumentVersion) -> io.BufferedReader:
    """A version's file to send: read in slices of SLICE_BYTES while it is sent, never held whole in memory."""
    return io.BufferedReader(_StoredBytes(db.engine, version.id, version.size), buffer_size=SLICE_BYTES)
