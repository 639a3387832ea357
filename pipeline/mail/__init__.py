"""The email outbox: models, queueing, delivery, and the admin's outbox page."""

from flask import Blueprint

from pipeline.auth.permissions import admin_gate

bp = Blueprint("mail", __name__, url_prefix="/admin/mail")
bp.before_request(admin_gate)

from pipeline.mail import views  # noqa: E402,F401
