"""Two counties under one city (tests/tenancy/conftest.py), a city admin, and the reports' stand-in for WeasyPrint."""

import pytest

from pipeline.auth.models import Role
from tests.reports.conftest import fake_pdf  # noqa: F401
from tests.tenancy.conftest import two_counties  # noqa: F401


@pytest.fixture
def city_admin(db, two_counties, make_user):  # noqa: F811
    user = make_user(Role.ADMIN, authority_id=two_counties["city"].id)
    db.session.commit()
    return user
