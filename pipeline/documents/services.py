"""Storing a firm's documents: every upload is checked (size, kind by content, type, year) and becomes a new version;
nothing is stored when a check fails. Services flush; the view commits."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath

from flask_babel import gettext as _
from sqlalchemy import select, update

from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.auth.models import Role, User
from pipeline.db import insert_or_ignore
from pipeline.documents.content import EXTENSIONS, detect_kind, file_size
from pipeline.documents.models import Document, DocumentType, DocumentVersion
from pipeline.extensions import db
from pipeline.firms.models import Firm, ServiceRecord
from pipeline.hygiene import download_name, text_problem

FIRST_FISCAL_YEAR = 1990
VISIT_RECORD = "visit_record"  # the 走访记录表 of a service record


class DocumentError(ValueError):
    """An upload refused, with the Chinese message the user sees and the form field it is about; nothing was
    stored."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Upload:
    """What the user sent: the file and the form's values (already of the right shape)."""

    filename: str
    content: bytes
    type_id: int
    fiscal_year: int | None = None
    dated_on: date | None = None
    note: str = ""
    document_id: int | None = None  # a new version of this document
    service_record_id: int | None = None  # a 走访记录表 of this service


def stored_name(filename: str, kind: str) -> str:
    """The file's own name without any folder, cleaned for a download header, with the extension of its real kind."""
    base = PurePosixPath(filename.replace("\\", "/")).name
    stem = download_name(base.rsplit(".", 1)[0] if "." in base else base, default="document")[:140]
    return stem + EXTENSIONS[kind]


def check_content(content: bytes, *, max_bytes: int) -> str:
    """The file's kind, or DocumentError: empty, too large, or not one of the allowed kinds by its bytes."""
    if not content:
        raise DocumentError(_("文件是空的，请重新选择。"))
    if len(content) > max_bytes:
        raise DocumentError(_("文件超过 %(size)s，未保存。请压缩或拆分后再上传。", size=file_size(max_bytes)))
    kind = detect_kind(content)
    if kind is None:
        raise DocumentError(_("只能上传 PDF、JPEG、PNG、XLSX、DOCX 或 OFD 文件（按文件内容判断，改扩展名无效），未保存。"))
    return kind


def _document_type(upload: Upload, actor: User) -> DocumentType:
    kind = db.session.get(DocumentType, upload.type_id)
    if kind is None or not kind.active:
        raise DocumentError(_("请选择材料类型。"), "type_id")
    if actor.role is Role.FIRM and not kind.firm_may_upload:
        raise DocumentError(_("此类材料由科技局上传。"), "type_id")
    return kind


def _fiscal_year(kind: DocumentType, year: int | None, today: date) -> int | None:
    if not kind.needs_fiscal_year:
        return None
    last = today.year + 1  # the 申报书 of an application made next year is that year's (checklist.REQUIRED_DOCUMENTS)
    if year is None or not FIRST_FISCAL_YEAR <= year <= last:
        raise DocumentError(_("%(type)s 需要填写所属年度（%(first)s–%(last)s）。", type=kind.name,
                              first=FIRST_FISCAL_YEAR, last=last), "fiscal_year")
    return year


def _slot(firm: Firm, kind: DocumentType, upload: Upload, year: int | None) -> str:
    """Which document a new upload supersedes (see Document.slot)."""
    if upload.document_id is not None:
        document = db.session.get(Document, upload.document_id)
        if document is None or document.firm_id != firm.id or document.type_id != kind.id:
            raise DocumentError(_("要替换的材料不存在。"))
        return document.slot
    if upload.service_record_id is not None:
        service = db.session.get(ServiceRecord, upload.service_record_id)
        if service is None or service.firm_id != firm.id:
            raise DocumentError(_("这条服务记录不存在。"))
        return f"s{service.id}:t{kind.id}"
    if kind.multiple:
        return f"t{kind.id}:u{uuid.uuid4().hex}"
    return f"t{kind.id}:y{year or 0}"


def upload_document(firm: Firm, upload: Upload, *, actor: User, now: datetime, today: date,
                    max_bytes: int) -> DocumentVersion:
    """Store an upload as the current version of its document (the earlier versions stay in the history)."""
    kind = check_content(upload.content, max_bytes=max_bytes)
    doc_type = _document_type(upload, actor)
    year = _fiscal_year(doc_type, upload.fiscal_year, today)
    problem = text_problem(upload.note)
    if problem:
        raise DocumentError(problem)
    slot = _slot(firm, doc_type, upload, year)
    values = dict(firm_id=firm.id, type_id=doc_type.id, fiscal_year=year, slot=slot, latest_number=0,
                  service_record_id=upload.service_record_id, created_at=now)
    insert_or_ignore(db.session, Document, values)
    document_id = db.session.scalar(select(Document.id).where(Document.firm_id == firm.id, Document.slot == slot))
    number = db.session.execute(update(Document).where(Document.id == document_id)
                                .values(latest_number=Document.latest_number + 1)
                                .returning(Document.latest_number)).scalar_one()
    version = DocumentVersion(
        document_id=document_id, number=number, filename=stored_name(upload.filename, kind), kind=kind,
        size=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(), dated_on=upload.dated_on,
        note=upload.note.strip()[:200], uploaded_at=now, uploaded_by_id=actor.id, content=upload.content)
    db.session.add(version)
    db.session.flush()
    record_event(AuditKind.DOCUMENT_UPLOADED, actor=actor, now=now, **audit_details(version, doc_type))
    return version


def audit_details(version: DocumentVersion, doc_type: DocumentType) -> dict:
    """What the audit log keeps of an upload or a download: the firm, the type, the year, the version, the file."""
    document = version.document
    return dict(firm_id=document.firm_id, document_type=doc_type.code, fiscal_year=document.fiscal_year,
                version_id=version.id, number=version.number, filename=version.filename, size=version.size)


def record_download(version: DocumentVersion, *, actor: User, now: datetime) -> None:
    """Log that the user downloaded a version (the view commits before it sends the file)."""
    record_event(AuditKind.DOCUMENT_DOWNLOADED, actor=actor, now=now,
                 **audit_details(version, version.document.type))


def save_document_type(doc_type: DocumentType | None, values: dict) -> DocumentType:
    """Create or change a document type from the admin's form (its code never changes once made)."""
    if doc_type is None:
        code = values["code"]
        if db.session.scalar(select(DocumentType.id).where(DocumentType.code == code)) is not None:
            raise DocumentError(_("代码 %(code)s 已被使用。", code=code))
        doc_type = DocumentType(code=code)
        db.session.add(doc_type)
    for name in ("name", "name_en", "needs_fiscal_year", "multiple", "firm_may_upload", "active", "sort_order"):
        setattr(doc_type, name, values[name])
    db.session.flush()
    return doc_type
