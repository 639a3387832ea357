"""Who may do what: the per-blueprint gates and small predicates used by views and templates alike."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user

from pipeline.auth.models import Role, User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _login_redirect():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def staff_gate():
    """before_request for staff blueprints: firm users get 404 (they must not learn what exists), leaders read only."""
    if not current_user.is_authenticated:
        return _login_redirect()
    if not current_user.is_staff:
        abort(404)
    if request.method not in SAFE_METHODS and not can_edit(current_user):
        abort(403)
    return None


def admin_gate():
    if not current_user.is_authenticated:
        return _login_redirect()
    if not current_user.is_staff:
        abort(404)
    if current_user.role is not Role.ADMIN:
        abort(403)
    return None


def firm_gate():
    """before_request for the portal: only firm users bound to a firm."""
    if not current_user.is_authenticated:
        return _login_redirect()
    if current_user.role is not Role.FIRM or current_user.firm_id is None:
        abort(404)
    return None


def can_edit(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.ADMIN, Role.OFFICER)


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role is Role.ADMIN


def visible_town_ids(user: User) -> set[int] | None:
    """Towns an officer is limited to; None means every town."""
    if user.role is Role.OFFICER and user.towns:
        return {town.id for town in user.towns}
    return None


def shown_town_ids(user: User, town_id: int | None) -> set[int] | None:
    """The towns a page shows: the user's, narrowed by the page's town filter (None: every town; empty: none)."""
    towns = visible_town_ids(user)
    if town_id:
        return {town_id} if towns is None or town_id in towns else set()
    return towns


def sees_whole_county(user: User) -> bool:
    """Staff not limited to some towns: they may read county-wide lists of firms (e.g. the monthly report)."""
    return user.is_authenticated and user.is_staff and visible_town_ids(user) is None


def county_gate():
    """before_request for pages whose content names firms of every town: not for officers limited to towns."""
    if current_user.is_authenticated and current_user.is_staff and not sees_whole_county(current_user):
        abort(403)
    return None


def can_see_firm(user: User, firm) -> bool:
    if user.role is Role.FIRM:
        return user.firm_id == firm.id
    towns = visible_town_ids(user)
    return user.is_staff and (towns is None or firm.town_id in towns)


def can_move(user: User, firm) -> bool:
    return can_edit(user) and can_see_firm(user, firm)
