"""Two counties (tests/tenancy's fixture), each with its own reminder rules, calendar and seal."""

import pytest

from tests.tenancy.conftest import two_counties  # noqa: F401


@pytest.fixture
def log_in(client):
    """Log the test client in as an existing user (of either county)."""

    def login(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.session_token
            session["_fresh"] = True
        return user

    return login
