"""Who is logged in, and the HTTP headers that every response carries."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from pipeline.auth.models import User
from pipeline.domain.text import N_
from pipeline.extensions import db, login_manager
from pipeline.hygiene import MAX_INT, refuse_hostile_request
from pipeline.tenancy.web import register_request_scope

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def load_user(session_token: str) -> User | None:
    """Find the user by the server-side token in the cookie: a rotated token logs every old cookie out."""
    user = db.session.scalar(select(User).where(User.session_token == session_token))
    return user if user is not None and user.active else None


class BoundedIntConverter(IntegerConverter):
    """<int:…> in every route: a number past the database's integer columns matches no route (404), instead of
    reaching a query as a value the driver cannot send."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT)
        super().__init__(url_map, *args, **kwargs)


def set_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "static":
        # Every page and download holds someone's data: send_file's own no-cache would let a browser or a proxy
        # keep a firm's PDF or the county's Excel export on disk.
        response.headers["Cache-Control"] = "no-store"
    if current_app.config["HSTS_SECONDS"]:
        response.headers["Strict-Transport-Security"] = f"max-age={current_app.config['HSTS_SECONDS']}; includeSubDomains"
    return response


def register_security(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("请先登录。")
    login_manager.login_message_category = "warning"
    login_manager.localize_callback = gettext
    login_manager.session_protection = "basic"
    app.url_map.converters["int"] = BoundedIntConverter  # before any blueprint adds its routes
    app.before_request(refuse_hostile_request)
    register_request_scope(app)
    app.after_request(set_security_headers)
    trust_reverse_proxies(app)


def trust_reverse_proxies(app: Flask) -> None:
    """Behind PIPELINE_PROXY_HOPS reverse proxies, take the client's address and scheme from the X-Forwarded-For and
    X-Forwarded-Proto that they append: else every visitor has the proxy's address, and the verify page's rate limit
    and the login throttles (by address) would count them all as one. Only the last `hops` entries, the ones the
    proxies wrote, are believed; the host and prefix are not taken from headers (links in mails come from
    PIPELINE_EXTERNAL_URL). Without proxies the headers are ignored: anyone can send them."""
    hops = app.config["PIPELINE_PROXY_HOPS"]
    if hops < 0:
        raise RuntimeError("PIPELINE_PROXY_HOPS: the number of reverse proxies in front, 0 or more")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_prefix=0)
