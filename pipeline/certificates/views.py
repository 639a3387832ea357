"""Staff pages: the certificate list and detail, downloads, issue / re-issue / revoke, and the firm dossier."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.audit.web import audit_download
from pipeline.auth.permissions import can_edit
from pipeline.certificates import bp
from pipeline.certificates.dossier import render_dossier_pdf
from pipeline.certificates.forms import CertificateFilterForm, IssueForm, ReasonForm
from pipeline.certificates.models import CERTIFICATE_STATUS_LABELS, CertificateStatus
from pipeline.certificates.queries import (
    certificate_years,
    get_certificate_or_404,
    get_record_or_404,
    list_certificate_chain,
    list_certificates,
)
from pipeline.certificates.services import (
    CertificateError,
    issue_admission_certificate,
    reissue_certificate,
    revoke_certificate,
)
from pipeline.certificates.web import certificate_download, read_filters, send_pdf
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.firms.queries import get_firm_or_404
from pipeline.funnel.queries import list_tracks
from pipeline.pdf import PdfError
from pipeline.web import page_arg


@bp.route("/")
def index():
    form = CertificateFilterForm(formdata=request.args)
    filters, page = read_filters(form, certificate_years(), list_tracks(active_only=False), page_arg())
    certificates, total = list_certificates(current_user, filters, page=page)
    return render_template("certificates/index.html", form=form, certificates=certificates, total=total, page=page,
                           filters=filters, status_labels=CERTIFICATE_STATUS_LABELS)


@bp.route("/<int:certificate_id>")
def detail(certificate_id: int):
    certificate = get_certificate_or_404(certificate_id, current_user)
    return render_template("certificates/detail.html", certificate=certificate,
                           chain=list_certificate_chain(certificate), reissue_form=ReasonForm(prefix="reissue"),
                           revoke_form=ReasonForm(prefix="revoke"), status_labels=CERTIFICATE_STATUS_LABELS,
                           Status=CertificateStatus, may_edit=can_edit(current_user))


@bp.route("/<int:certificate_id>/pdf")
def download(certificate_id: int):
    return certificate_download(get_certificate_or_404(certificate_id, current_user),
                                failed_url=url_for(".detail", certificate_id=certificate_id))


def _change(certificate_id: int, prefix: str, service, done_message: str):
    certificate = get_certificate_or_404(certificate_id, current_user)
    form = ReasonForm(prefix=prefix)
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for(".detail", certificate_id=certificate.id))
    try:
        result = service(certificate, actor=current_user, now=utcnow(), reason=form.reason.data)
    except CertificateError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for(".detail", certificate_id=certificate.id))
    db.session.commit()
    flash(done_message, "success")
    return redirect(url_for(".detail", certificate_id=result.id))


@bp.post("/<int:certificate_id>/reissue")
def reissue(certificate_id: int):
    return _change(certificate_id, "reissue", reissue_certificate, _("已换发证书：编号不变，原证书显示为已换发。"))


@bp.post("/<int:certificate_id>/revoke")
def revoke(certificate_id: int):
    return _change(certificate_id, "revoke", revoke_certificate, _("证书已撤销。"))


@bp.post("/records/<int:record_id>/issue")
def issue(record_id: int):
    record = get_record_or_404(record_id, current_user)
    if not IssueForm().validate_on_submit():
        abort(400)
    try:
        certificate = issue_admission_certificate(record, actor=current_user, now=utcnow())
    except CertificateError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("firms.detail", firm_id=record.firm_id))
    db.session.commit()
    flash(_("已发放入库证书。"), "success")
    return redirect(url_for(".detail", certificate_id=certificate.id))


@bp.route("/firms/<int:firm_id>/dossier.pdf")
def dossier(firm_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    try:
        pdf = render_dossier_pdf(firm, now=utcnow())
    except PdfError:
        abort(500)
    audit_download(f"dossier.pdf:{firm.credit_code}")
    return send_pdf(pdf, f"培育档案-{firm.name}.pdf")
