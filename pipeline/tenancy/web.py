"""Each request runs in its user's scope (scope.py): set before any view reads data, left at teardown."""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user

from pipeline.extensions import db
from pipeline.tenancy.scope import (
    authority_tree,
    enter_scope,
    leave_scope,
    register_scope_events,
    scope_of_authority,
)


def enter_user_scope() -> None:
    """The logged-in user's scope: their authority and those below it. Anonymous pages (login, the certificate
    check) stay in the system scope: they read what they must by their own keys."""
    if not current_user.is_authenticated:  # loads the user first, in the system scope
        return
    scope = scope_of_authority(db.session, current_user.authority_id)
    g.tenancy_scope_token = enter_scope(scope)


def leave_user_scope(_error=None) -> None:
    token = g.pop("tenancy_scope_token", None)
    if token is not None:
        leave_scope(token)


def staff_level(user) -> str | None:
    """The level of a staff user's authority (county, city, province); None for firm users and the anonymous."""
    if not user.is_authenticated or not user.is_staff:
        return None
    node = authority_tree(db.session).get(user.authority_id)
    return node.level if node is not None else None


def authority_label() -> str | None:
    """The logged-in user's county, city or province, for the account menu: shown once the deployment serves more
    than one county (a one-county installation looks as it always did)."""
    if not current_user.is_authenticated:
        return None
    tree = authority_tree(db.session)
    if sum(1 for node in tree.values() if node.level == "county") < 2:
        return None
    node = tree.get(current_user.authority_id)
    return node.name if node else None


def register_request_scope(app: Flask) -> None:
    register_scope_events()
    app.before_request(enter_user_scope)
    app.teardown_request(leave_user_scope)
    app.add_template_global(authority_label)
