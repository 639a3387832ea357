"""Each county's admin decides for that county alone whether its admins and officers must use two-factor login."""

import re
from datetime import UTC, datetime

from sqlalchemy import select

from pipeline.accounts.models import AccountSetting
from pipeline.auth.models import Role

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
URL = "/admin/users/settings"
SETUP = "/account/2fa/setup"


def required_box(page: str) -> str:
    """The <input> tag of the settings page's checkbox."""
    return re.search(r'<input[^>]*name="required"[^>]*>', page).group(0)


def test_a_countys_two_factor_rule_binds_only_its_own_staff(client, db, two_counties, log_in):
    first, second = two_counties["first"], two_counties["second"]
    log_in(second["users"][Role.ADMIN])
    assert client.post(URL, data={"required": "y"}).status_code == 302
    log_in(second["users"][Role.OFFICER])
    assert client.get("/funnel/").headers["Location"] == SETUP
    log_in(first["users"][Role.OFFICER])
    assert client.get("/funnel/").status_code == 200
    log_in(first["users"][Role.ADMIN])
    assert "checked" not in required_box(client.get(URL).get_data(as_text=True))
    settings = db.session.execute(select(AccountSetting.county_id, AccountSetting.value)).all()
    assert settings == [(second["county"].id, "1")]


def test_a_city_user_meets_the_strictest_rule_of_its_counties_and_sets_none(client, db, two_counties, log_in,
                                                                           make_user):
    city_admin = make_user(Role.ADMIN, authority_id=two_counties["city"].id)
    db.session.commit()
    log_in(city_admin)
    assert client.get("/funnel/").status_code == 200
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"required": "y"}).status_code == 403
    log_in(two_counties["second"]["users"][Role.ADMIN])
    client.post(URL, data={"required": "y"})
    log_in(city_admin)
    assert client.get("/funnel/").headers["Location"] == SETUP


def test_postgresql_shows_a_county_only_its_own_account_settings(db, two_counties):
    import pytest
    from sqlalchemy import text

    from pipeline.accounts.twofactor import set_two_factor_required
    from pipeline.tenancy.scope import county_scope, use_scope

    if db.engine.dialect.name != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    for county in (two_counties["first"], two_counties["second"]):
        with use_scope(county_scope(county["county"].id), db.session):
            set_two_factor_required(True, by=county["users"][Role.ADMIN], now=NOW)
            db.session.commit()
    second = two_counties["second"]["county"].id
    with use_scope(county_scope(second), db.session):
        assert set(db.session.execute(text("SELECT county_id FROM account_setting")).scalars()) == {second}
    db.session.rollback()
    assert len(db.session.execute(text("SELECT county_id FROM account_setting")).all()) == 2
