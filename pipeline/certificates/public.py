"""The public verify page: anyone holding a certificate (or its QR code) checks it here, without logging in."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from pipeline.certificates.forms import VerifyForm
from pipeline.certificates.models import CertificateStatus
from pipeline.certificates.services import normalize_code
from pipeline.certificates.verification import allow_verify_request, verify_code
from pipeline.db import utcnow
from pipeline.errors import render_error
from pipeline.extensions import db
from pipeline.web import client_ip

bp = Blueprint("verify", __name__, url_prefix="/verify")


@bp.after_request
def no_index(response):
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/")
def form():
    form = VerifyForm(formdata=request.args)
    if request.args and form.validate():
        return redirect(url_for(".result", code=normalize_code(form.code.data) or form.code.data.strip()[:40]))
    return render_template("certificates/verify.html", form=form, result=None, code=None)


@bp.route("/<code>")
def result(code: str):
    config = current_app.config
    allowed = allow_verify_request(client_ip(), utcnow(), limit=config["PIPELINE_VERIFY_RATE_LIMIT"],
                                   window_seconds=config["PIPELINE_VERIFY_RATE_WINDOW"])
    db.session.commit()
    if not allowed:
        body, status = render_error(429)
        return body, status, {"Retry-After": str(config["PIPELINE_VERIFY_RATE_WINDOW"])}
    found = verify_code(code)
    return render_template("certificates/verify.html", form=VerifyForm(formdata=None, code=code[:40]), result=found,
                           code=code[:40], Status=CertificateStatus), (200 if found else 404)
