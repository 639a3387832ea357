"""Helpers the certificate views share: the PDF response and the list filters."""

from __future__ import annotations

import io

from flask import send_file
from wtforms import SelectChoice

from pipeline.certificates.models import CERTIFICATE_STATUS_LABELS, Certificate, CertificateStatus
from pipeline.certificates.queries import CertificateFilter
from pipeline.i18n import track_name


def pdf_download(certificate: Certificate | None, *, data: bytes | None = None, filename: str | None = None):
    """Send stored bytes as they are (the same certificate downloads identically every time)."""
    if certificate is not None:
        data = certificate.pdf
        filename = f"入库证书-{certificate.number}.pdf"
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=filename,
                     etag=certificate.pdf_sha256 if certificate is not None else False, conditional=False)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def read_filters(form, years: list[int], tracks, page: str | None) -> tuple[CertificateFilter, int]:
    """Fill the filter form's choices and turn its (untrusted) values into a filter; bad values are ignored."""
    from flask_babel import gettext as _

    form.year.choices = [SelectChoice("", _("全部年度"))] + [SelectChoice(str(y), str(y)) for y in years]
    form.status.choices = [SelectChoice("", _("全部状态"))] + [
        SelectChoice(s.value, _(label)) for s, label in CERTIFICATE_STATUS_LABELS.items()]
    form.track.choices = [SelectChoice("", _("全部类别"))] + [SelectChoice(str(t.id), track_name(t)) for t in tracks]
    status = form.status.data if form.status.data in {s.value for s in CertificateStatus} else None
    return CertificateFilter(
        year=_int(form.year.data), status=CertificateStatus(status) if status else None,
        track_id=_int(form.track.data), q=(form.q.data or "").strip()[:100]), min(max(_int(page) or 1, 1), 10_000)
