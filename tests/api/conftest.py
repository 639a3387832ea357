"""API clients made through the service, and a GET with a bearer token."""

from __future__ import annotations

import pytest

from pipeline.api.models import ApiScope
from pipeline.auth.models import Role

ALL_READS = [scope.value for scope in ApiScope if scope is not ApiScope.CONTACTS]


@pytest.fixture
def make_api_client(db, make_user):
    """Create an API client of county 1 with these scopes (default: every read but contacts); (client, token)."""
    from pipeline.api.services import create_client

    admin = make_user(Role.ADMIN)

    def factory(scopes=None, name="市科技局数据平台"):
        made = create_client(name, 1, ALL_READS if scopes is None else scopes, actor=admin)
        db.session.commit()
        return made.client, made.token

    return factory


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
