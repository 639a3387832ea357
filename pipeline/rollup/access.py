"""Who reads the roll-ups: staff of a city or province bureau. A county's users get 404 (the pages do not exist for
them), as a firm user does on a staff page."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from pipeline.auth.models import User
from pipeline.auth.permissions import staff_gate
from pipeline.tenancy.models import AuthorityLevel
from pipeline.tenancy.scope import current_scope
from pipeline.tenancy.web import staff_level

ABOVE_COUNTY = frozenset({AuthorityLevel.CITY.value, AuthorityLevel.PROVINCE.value})


def reads_rollup(user: User) -> bool:
    """A staff user of a city or province bureau: reads the roll-up of the counties below it, changes nothing there."""
    return staff_level(user) in ABOVE_COUNTY


def rollup_gate():
    """before_request of the roll-up pages: logged in (else the login page), above the county (else 404)."""
    refused = staff_gate()
    if refused is not None:
        return refused
    if not reads_rollup(current_user):
        abort(404)
    return None


def county_in_scope_or_404(county_id: int) -> int:
    """A county of the request's scope (the user's counties); any other id, a city's included, is 404."""
    if county_id not in current_scope().county_ids:
        abort(404)
    return county_id
