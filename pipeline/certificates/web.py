"""Helpers the certificate views share: the PDF responses and the list filters."""

from __future__ import annotations

import io
import logging

from flask import flash, redirect
from flask_babel import gettext as _
from wtforms import SelectChoice

from pipeline.certificates.models import CERTIFICATE_STATUS_LABELS, Certificate, CertificateStatus
from pipeline.certificates.queries import CertificateFilter
from pipeline.certificates.services import certificate_pdf
from pipeline.extensions import db
from pipeline.hygiene import bounded_int
from pipeline.i18n import track_name
from pipeline.pdf import PdfError
from pipeline.web import send_attachment

log = logging.getLogger(__name__)


def send_pdf(data: bytes, filename: str, *, etag: str | bool = False):
    return send_attachment(io.BytesIO(data), mimetype="application/pdf", filename=filename, etag=etag,
                           conditional=False)


def certificate_download(certificate: Certificate, *, failed_url: str):
    """Send a copy's stored PDF (rendered and stored on its first download, identical ever after); a rendering
    failure is a message on `failed_url`, not a server error."""
    certificate_id, filename = certificate.id, f"入库证书-{certificate.number}.pdf"
    try:
        data = certificate_pdf(certificate)
    except PdfError:
        db.session.rollback()
        log.exception("certificate %s could not be rendered", certificate_id)
        flash(_("证书生成失败，请联系管理员。"), "danger")
        return redirect(failed_url)
    etag = certificate.pdf_sha256
    db.session.commit()
    return send_pdf(data, filename, etag=etag)


def read_filters(form, years: list[int], tracks, page: int) -> tuple[CertificateFilter, int]:
    """Fill the filter form's choices and turn its (untrusted) values into a filter; bad values are ignored."""
    form.year.choices = [SelectChoice("", _("全部年度"))] + [SelectChoice(str(y), str(y)) for y in years]
    form.status.choices = [SelectChoice("", _("全部状态"))] + [
        SelectChoice(s.value, _(label)) for s, label in CERTIFICATE_STATUS_LABELS.items()]
    form.track.choices = [SelectChoice("", _("全部类别"))] + [SelectChoice(str(t.id), track_name(t)) for t in tracks]
    status = form.status.data if form.status.data in {s.value for s in CertificateStatus} else None
    return CertificateFilter(
        year=bounded_int(form.year.data), status=CertificateStatus(status) if status else None,
        track_id=bounded_int(form.track.data), q=(form.q.data or "").strip()[:100]), page
