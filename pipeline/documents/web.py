"""What the documents' views share: the upload form filled for a firm, one upload handled, one download sent."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, g
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from pipeline.auth.permissions import can_move
from pipeline.db import utcnow
from pipeline.documents.content import MIMETYPES, file_size
from pipeline.documents.forms import UploadForm
from pipeline.documents.models import DocumentType, DocumentVersion
from pipeline.documents.queries import (
    DocumentRow,
    documents_by_service,
    list_document_types,
    list_firm_documents,
    open_version,
)
from pipeline.documents.services import VISIT_RECORD, DocumentError, Upload, record_download, upload_document
from pipeline.extensions import db
from pipeline.hygiene import bounded_int
from pipeline.i18n import local_today
from pipeline.web import send_attachment


def max_bytes() -> int:
    """The largest document (PIPELINE_MAX_UPLOAD_MB): a file a little larger is refused by upload_document, a much
    larger request by its size (MAX_CONTENT_LENGTH), a 413 before any view."""
    return current_app.config["PIPELINE_MAX_UPLOAD_BYTES"]


def type_label(doc_type) -> str:
    from flask_babel import get_locale

    return doc_type.name_en if doc_type.name_en and str(get_locale()).startswith("en") else doc_type.name


def upload_form(*, firm_user: bool, blank: bool = False, **preset) -> UploadForm:
    """The upload form with the types the user may upload, some fields preset from the query string (?type= …);
    blank: not read from the request (after a 413 the request body must not be read again)."""
    form = UploadForm(formdata=None) if blank else UploadForm()
    form.type_id.choices = [SelectChoice("", _("（请选择）"))] + [
        SelectChoice(str(t.id), type_label(t)) for t in list_document_types(firm_may_upload=firm_user)]
    for name, value in preset.items():
        number = bounded_int(value, minimum=1)
        if number is not None and not getattr(form, name).raw_data:
            getattr(form, name).data = number
    return form


def handle_upload(firm, form: UploadForm) -> DocumentVersion | None:
    """Store a valid upload (the caller redirects), or put the reason on the form (nothing stored)."""
    if not form.validate_on_submit():
        return None
    upload = Upload(filename=form.file.data.filename or "", content=form.file.data.read(), type_id=form.type_id.data,
                    fiscal_year=form.fiscal_year.data, dated_on=form.dated_on.data, note=form.note.data or "",
                    document_id=bounded_int(form.document_id.data, minimum=1),
                    service_record_id=bounded_int(form.service_record_id.data, minimum=1))
    try:
        version = upload_document(firm, upload, actor=current_user, now=utcnow(), today=local_today(),
                                  max_bytes=max_bytes())
    except DocumentError as exc:
        db.session.rollback()
        form[exc.field].errors.append(str(exc))  # next to the field it is about (the year, else the file)
        return None
    db.session.commit()
    flash(_("已上传“%(name)s”（第 %(number)s 版）。", name=version.filename, number=version.number), "success")
    return version


def too_large_message() -> str:
    return _("文件超过 %(size)s，未保存。请压缩或拆分后再上传。", size=file_size(max_bytes()))


def send_version(version: DocumentVersion):
    """Always an attachment, with the type checked at upload and filename* (never shown inline); logged."""
    record_download(version, actor=current_user, now=utcnow())
    db.session.commit()
    return send_attachment(open_version(version), mimetype=MIMETYPES[version.kind], filename=version.filename,
                           size=version.size)


@dataclass(frozen=True)
class FirmDocumentPanel:
    rows: list[DocumentRow]
    by_service: dict[int, list[DocumentRow]]
    may_upload: bool
    visit_type_id: int | None  # the 走访记录表 type a service record's upload link presets


def firm_document_panel(firm) -> FirmDocumentPanel:
    """The firm page's documents (a template global, computed once per request: the panel and the timeline use it)."""
    cache = g.setdefault("firm_document_panels", {})
    if firm.id not in cache:
        rows = list_firm_documents(firm.id)
        cache[firm.id] = FirmDocumentPanel(rows, documents_by_service(rows), can_move(current_user, firm),
                                           _visit_record_type_id())
    return cache[firm.id]


def _visit_record_type_id() -> int | None:
    return db.session.scalar(
        select(DocumentType.id).where(DocumentType.code == VISIT_RECORD, DocumentType.active.is_(True)))
