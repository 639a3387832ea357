"""The read-only JSON API (issue 24) under /api/v1: bearer tokens of API clients (models.py, services.py), keyset
pages (cursor.py), the views (views.py), the OpenAPI document built by spectree from the views' pydantic models
(schemas.py) at /api/v1/openapi.json, and the admin's client pages (admin.py, /admin/api-clients)."""

from flask import Blueprint

from pipeline.api.gate import authenticate_client, finish_call, leave_client_scope
from pipeline.api.spec import register_spec

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate_client)
bp.after_request(finish_call)
bp.teardown_request(leave_client_scope)

from pipeline.api import views  # noqa: E402,F401

register_spec(bp)
