"""The firm's own certificates in the portal: a list, and downloads of its valid ones (anything else is 404)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from pipeline.auth.permissions import firm_gate
from pipeline.certificates.models import CERTIFICATE_STATUS_LABELS, CertificateStatus
from pipeline.certificates.queries import get_own_certificate_or_404, list_firm_certificates
from pipeline.certificates.web import certificate_download

bp = Blueprint("certificates_portal", __name__, url_prefix="/portal/certificates")
bp.before_request(firm_gate)


@bp.route("/")
def index():
    return render_template("certificates/portal.html", certificates=list_firm_certificates(current_user.firm_id),
                           status_labels=CERTIFICATE_STATUS_LABELS, Status=CertificateStatus)


@bp.route("/<int:certificate_id>/pdf")
def download(certificate_id: int):
    return certificate_download(get_own_certificate_or_404(certificate_id, current_user.firm_id),
                                failed_url=url_for(".index"))
