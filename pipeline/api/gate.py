"""Every API request: the bearer token names an active client, the call is counted against its minute, the view
needs a scope the client holds, and the request reads in the client's tenancy scope; then the call is logged."""

from __future__ import annotations

from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from pipeline.api.models import ApiScope
from pipeline.api.services import count_call, find_client_by_token, log_call
from pipeline.api.spec import error_response
from pipeline.db import utcnow
from pipeline.errors import MESSAGES
from pipeline.extensions import db
from pipeline.tenancy.scope import enter_scope, leave_scope, scope_of_authority
from pipeline.web import client_ip

PUBLIC_ENDPOINTS = {"api.openapi_document"}
ENDPOINT_SCOPES: dict[str, ApiScope] = {}  # filled by views.needs()
ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               429: "rate_limited", 500: "server_error"}


def needs(scope: ApiScope):
    """Decorator: the view answers only clients that hold `scope`."""
    def register(view):
        ENDPOINT_SCOPES[f"api.{view.__name__}"] = scope
        return view
    return register


def bearer_token() -> str:
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if kind.lower() == "bearer" else ""


def authenticate_client():
    """before_request: 401 without an active client's token, 429 over its rate, 403 without the view's scope."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    client = find_client_by_token(bearer_token())
    if client is None:
        return error_response(401, "unauthorized", "缺少有效的访问令牌：请在请求头中提供 Authorization: Bearer <令牌>。",
                              {"WWW-Authenticate": 'Bearer realm="pipeline"'})
    g.api_client_id, g.api_client_scopes = client.id, set(client.scopes or ())
    retry_after = count_call(client, utcnow(), limit=current_app.config["PIPELINE_API_RATE_LIMIT"])
    scope = scope_of_authority(db.session, client.authority_id)
    db.session.commit()  # the count and last use stand whatever the answer
    if retry_after is not None:
        return error_response(429, "rate_limited", "请求过于频繁，已超过每分钟的调用上限，请稍后再试。",
                              {"Retry-After": str(retry_after)})
    needed = ENDPOINT_SCOPES.get(request.endpoint or "")
    if needed is not None and needed.value not in g.api_client_scopes:
        return error_response(403, "forbidden", f"该客户端没有读取范围 {needed.value}，请联系管理员授权。")
    g.api_scope_token = enter_scope(scope)
    return None


def has_scope(scope: ApiScope) -> bool:
    return scope.value in g.get("api_client_scopes", ())


def leave_client_scope(_error=None) -> None:
    token = g.pop("api_scope_token", None)
    if token is not None:
        leave_scope(token)


def finish_call(response):
    """after_request: errors in JSON whatever raised them, then the call logged outside the client's scope."""
    if response.status_code >= 400 and response.mimetype != "application/json":
        code = response.status_code
        response = error_response(code, ERROR_CODES.get(code, "error"), str(MESSAGES.get(code, MESSAGES[400])),
                                  {key: value for key, value in response.headers.items() if key == "Retry-After"})
    leave_client_scope()
    db.session.rollback()  # the API only reads: end the scoped transaction before writing the log
    log_call(g.get("api_client_id"), method=request.method, path=request.full_path.rstrip("?"),
             status=response.status_code, ip=client_ip(), now=utcnow())
    db.session.commit()
    return response


def json_http_error(exc: HTTPException):
    """errorhandler of the blueprint: an HTTP error raised by an API view, in JSON."""
    code = exc.code or 500
    return error_response(code, ERROR_CODES.get(code, "error"), str(MESSAGES.get(code, MESSAGES[400])))
