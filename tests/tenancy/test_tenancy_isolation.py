"""Two counties in one database see nothing of each other: through the ORM (the app's scoping, both databases),
and on PostgreSQL through any query at all (row-level security); the city above them reads both."""

import pytest
from sqlalchemy import func, insert, select, text

from pipeline.auth.models import Role, User
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import FirmTrack
from pipeline.tenancy.scope import (
    NoCountyError,
    county_for_new_rows,
    county_scope,
    current_scope,
    scope_of_authority,
    use_scope,
)
from tests.test_access_matrix import MATRIX


def is_postgresql(db) -> bool:
    return db.engine.dialect.name == "postgresql"


def log_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True


def firm_names(counties, key):
    return [firm.name for firm in counties[key]["firms"]]


# Pages of one firm that a staff member of its county may open (200 in the access matrix).
FIRM_PAGES = [url for url, method, expected in MATRIX
              if method == "GET" and "{firm}" in url and expected.get(Role.ADMIN) == 200]


def test_a_county_user_scope_is_their_county_and_a_city_user_scope_is_every_county_below(db, two_counties):
    first, second, city = two_counties["first"], two_counties["second"], two_counties["city"]
    assert scope_of_authority(db.session, second["county"].id).county_ids == {second["county"].id}
    assert scope_of_authority(db.session, city.id).county_ids == {first["county"].id, second["county"].id}
    assert scope_of_authority(db.session, city.id).authority_ids == {city.id, first["county"].id,
                                                                     second["county"].id}


def test_the_orm_reads_only_the_scope_counties_rows(db, two_counties):
    first, second = two_counties["first"], two_counties["second"]
    with use_scope(county_scope(second["county"].id)):
        names = set(db.session.scalars(select(Firm.name)))
        towns = set(db.session.scalars(select(Town.name)))
        records = db.session.scalar(select(func.count()).select_from(FirmTrack))
        users = set(db.session.scalars(select(User.username)))
    assert names == set(firm_names(two_counties, "second"))
    assert towns == {"剡湖街道"}
    assert records == 2
    assert users == {user.username for user in second["users"].values()}
    assert first["town"].name not in towns


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICER, Role.LEADER])
def test_staff_lists_show_only_their_own_countys_firms(client, db, two_counties, role):
    log_in(client, two_counties["second"]["users"][role])
    for url in ("/firms/", "/funnel/", "/funnel/board/tech_sme", "/certificates/"):
        page = client.get(url)
        assert page.status_code in (200, 302, 404), url
        body = page.get_data(as_text=True)
        for name in firm_names(two_counties, "first"):
            assert name not in body, (url, name)
    listing = client.get("/firms/").get_data(as_text=True)
    assert all(name in listing for name in firm_names(two_counties, "second"))


@pytest.mark.parametrize("url", FIRM_PAGES)
def test_every_page_of_another_countys_firm_is_not_found(client, db, two_counties, url):
    log_in(client, two_counties["second"]["users"][Role.ADMIN])
    own, other = two_counties["second"]["firms"][0], two_counties["first"]["firms"][0]
    assert client.get(url.format(firm=own.id)).status_code == 200, url
    assert client.get(url.format(firm=other.id)).status_code == 404, url


def test_the_firm_export_holds_only_the_countys_firms(client, db, two_counties):
    from io import BytesIO

    from openpyxl import load_workbook

    log_in(client, two_counties["second"]["users"][Role.ADMIN])
    response = client.get("/excel/export/firms.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data), read_only=True).active
    cells = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell}
    assert set(firm_names(two_counties, "second")) <= cells
    assert not set(firm_names(two_counties, "first")) & cells


def test_the_city_leader_reads_every_county_below_and_cannot_write(client, db, two_counties):
    log_in(client, two_counties["city_leader"])
    listing = client.get("/firms/").get_data(as_text=True)
    for key in ("first", "second"):
        assert all(name in listing for name in firm_names(two_counties, key))
    firm = two_counties["first"]["firms"][0]
    assert client.post(f"/firms/{firm.id}/edit", data={"name": "改名"}).status_code in (403, 404)


def test_new_rows_take_the_scope_county_or_their_firms_and_refuse_to_guess(db, two_counties):
    second = two_counties["second"]
    with use_scope(county_scope(second["county"].id)):
        assert county_for_new_rows() == second["county"].id
    # The system scope with two counties: a row of a firm takes the firm's county; a row of no firm is refused.
    assert not current_scope().restricted
    assert county_for_new_rows(firm_id=second["firms"][0].id) == second["county"].id
    with pytest.raises(NoCountyError):
        county_for_new_rows()


def test_each_county_numbers_its_own_pool_and_the_second_prefixes_its_code(db, two_counties):
    first = db.session.get(FirmTrack, two_counties["first"]["firms"][0].tracks[0].id) \
        if hasattr(two_counties["first"]["firms"][0], "tracks") else None
    numbers = {county: db.session.scalars(select(FirmTrack.pool_number).where(
        FirmTrack.county_id == two_counties[county]["county"].id, FirmTrack.pool_number.is_not(None))).all()
        for county in ("first", "second")}
    assert first is None or first.pool_number
    assert all(not number.startswith("330683-") for number in numbers["first"])
    assert numbers["second"] and all(number.startswith("330683-") for number in numbers["second"])
    # The same sequence in each county: both start at 0001.
    assert {number[-4:] for number in numbers["first"]} == {number[-4:] for number in numbers["second"]}


# --- PostgreSQL: the database itself keeps the counties apart -------------------------------------------------

RLS_TABLES = ("firm", "town", "firm_track", "stage_move", "certificate", "user", "stage_tally", "stage_move_day",
              "stage_move_place", "stage_move_pair", "audit_event")


@pytest.fixture
def postgresql(db):
    if not is_postgresql(db):
        pytest.skip("row-level security is PostgreSQL's")
    return db


def test_raw_sql_through_the_apps_connection_returns_only_the_scope_countys_rows(postgresql, two_counties):
    db = postgresql
    everything = {table: db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()  # noqa: S608
                  for table in RLS_TABLES}
    db.session.commit()
    second = two_counties["second"]["county"].id
    with use_scope(county_scope(second), db.session):
        seen = {table: db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()  # noqa: S608
                for table in RLS_TABLES}
        counties = set(db.session.execute(text("SELECT DISTINCT county_id FROM firm")).scalars())
        names = set(db.session.execute(text("SELECT name FROM firm")).scalars())
        joined = db.session.execute(text(
            "SELECT count(*) FROM stage_move m JOIN firm_track r ON r.id = m.firm_track_id")).scalar()
    db.session.rollback()
    assert counties == {second}
    assert names == set(firm_names(two_counties, "second"))
    for table in ("firm", "town", "firm_track", "stage_move", "certificate", "stage_move_day"):
        assert 0 < seen[table] < everything[table], table
    assert joined == seen["stage_move"]
    assert seen["user"] == len(two_counties["second"]["users"])


def test_a_county_cannot_write_a_row_into_another_county(postgresql, two_counties):
    from sqlalchemy.exc import DBAPIError

    db = postgresql
    first, second = two_counties["first"]["county"].id, two_counties["second"]["county"].id
    with use_scope(county_scope(second), db.session), pytest.raises(DBAPIError, match="row-level security"):
        db.session.execute(insert(Town).values(name="越界镇", county_id=first, sort_order=0))
    db.session.rollback()
    with use_scope(county_scope(second), db.session):
        changed = db.session.execute(text("UPDATE firm SET notes = 'x' WHERE county_id = :c"), {"c": first}).rowcount
    db.session.rollback()
    assert changed == 0


def test_a_logged_in_requests_transaction_runs_under_the_tenant_role(postgresql, make_app, two_counties):
    other = make_app()
    seen = {}

    @other.get("/_test/whoami")
    def whoami():  # a view that forgets every filter: the database still limits it
        seen["role"] = postgresql.session.execute(text("SELECT current_user")).scalar()
        seen["firms"] = postgresql.session.execute(text("SELECT count(*) FROM firm")).scalar()
        return "ok"

    client = other.test_client()
    log_in(client, two_counties["second"]["users"][Role.OFFICER])
    assert client.get("/_test/whoami").status_code == 200
    assert seen == {"role": "pipeline_tenant", "firms": 2}


def test_the_city_leader_sees_both_counties_rows_in_the_database(postgresql, two_counties):
    db = postgresql
    with use_scope(scope_of_authority(db.session, two_counties["city"].id), db.session):
        counties = set(db.session.execute(text("SELECT DISTINCT county_id FROM firm")).scalars())
    db.session.rollback()
    assert counties == {two_counties["first"]["county"].id, two_counties["second"]["county"].id}


def test_a_new_row_of_sql_by_hand_without_a_county_fails_once_there_are_two(postgresql, two_counties):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        postgresql.session.execute(text("INSERT INTO industry (name, sort_order) VALUES ('无归属', 0)"))
    postgresql.session.rollback()


def test_a_county_job_runs_once_in_each_countys_scope(db, two_counties):
    from pipeline.tenancy.scope import for_each_county

    seen = []

    @for_each_county
    def job(now):
        seen.append(current_scope().county_ids)
        return f"{len(db.session.scalars(select(Firm.id)).all())} 家"

    result = job(None)
    assert seen == [{two_counties["first"]["county"].id}, {two_counties["second"]["county"].id}]
    assert result == f"{two_counties['first']['county'].id}: 2 家；{two_counties['second']['county'].id}: 2 家"


def test_a_bulk_insert_in_a_countys_scope_refuses_rows_of_another_county(db, two_counties):
    from pipeline.db import bulk_insert

    first, second = two_counties["first"]["county"].id, two_counties["second"]["county"].id
    with use_scope(county_scope(second), db.session), pytest.raises(NoCountyError):
        bulk_insert(db.session.connection(), Town.__table__, [{"name": "越界镇", "sort_order": 0, "county_id": first}])
    db.session.rollback()
    if is_postgresql(db):  # the check is the app's for COPY (row-level security does not apply to it)
        with use_scope(county_scope(second), db.session):
            bulk_insert(db.session.connection(), Town.__table__, [{"name": "本县镇", "sort_order": 0}])
            assert db.session.execute(text("SELECT county_id FROM town WHERE name = '本县镇'")).scalar() == second
        db.session.rollback()


def test_the_account_menu_names_the_users_county_only_once_there_are_several(client, db, make_user, login_as):
    login_as(Role.OFFICER)
    assert "data-authority" not in client.get("/firms/").get_data(as_text=True)  # one county: as before


def test_the_account_menu_names_the_users_county_in_a_city(client, db, two_counties):
    log_in(client, two_counties["second"]["users"][Role.OFFICER])
    page = client.get("/firms/").get_data(as_text=True)
    assert "data-authority>所属单位：嵊州市<" in page


def pages_without_arguments(app) -> list[str]:
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
                   and not rule.rule.startswith("/api/")})  # the API needs a token: tests/api


def readable_text(response) -> str:
    """The page, or the text of a downloaded workbook's cells."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.data), read_only=True)
        return " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                        for cell in row if cell is not None)
    return response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/json")) else ""


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICER, Role.LEADER, Role.FIRM])
def test_no_page_or_download_of_a_county_names_the_other_countys_firms(app, client, db, two_counties, role):
    log_in(client, two_counties["second"]["users"][role])
    others = firm_names(two_counties, "first") + [firm.credit_code for firm in two_counties["first"]["firms"]]
    opened = 0
    for url in pages_without_arguments(app):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            opened += 1
            text = readable_text(response)
            assert not [name for name in others if name in text], url
    assert opened >= (3 if role is Role.FIRM else 15)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICER, Role.LEADER])
def test_with_the_apps_filter_forgotten_the_database_alone_keeps_the_other_county_out(
        postgresql, app, client, two_counties, role, monkeypatch):
    """A forgotten filter, simulated for every query at once: the request's scope claims to hold every county, so
    the app adds no county filter; the role and the policies still apply."""
    from dataclasses import replace

    import pipeline.tenancy.web as web

    real = web.scope_of_authority
    monkeypatch.setattr(web, "scope_of_authority", lambda session, authority: replace(real(session, authority),
                                                                                      everything=True))
    test_no_page_or_download_of_a_county_names_the_other_countys_firms(app, client, postgresql, two_counties, role)
    own = client.get("/firms/").get_data(as_text=True)
    assert all(name in own for name in firm_names(two_counties, "second"))


def test_a_countys_scope_sees_only_its_own_api_clients_in_the_database(postgresql, two_counties):
    from pipeline.api.models import ApiClient

    db = postgresql
    first, second = two_counties["first"]["county"].id, two_counties["second"]["county"].id
    for county in (first, second):
        db.session.add(ApiClient(name=f"客户端{county}", authority_id=county, scopes=["firms"],
                                 token_hash=f"{county:064d}", token_prefix=f"ppl_{county}"))
    db.session.commit()
    with use_scope(county_scope(second), db.session):
        seen = set(db.session.execute(text("SELECT authority_id FROM api_client")).scalars())
    db.session.rollback()
    with use_scope(scope_of_authority(db.session, two_counties["city"].id), db.session):
        city_sees = set(db.session.execute(text("SELECT authority_id FROM api_client")).scalars())
    db.session.rollback()
    assert seen == {second}
    assert city_sees == {first, second}


def test_a_username_is_unique_in_the_whole_deployment_whatever_the_scope(db, two_counties):
    from pipeline.auth.services import UserError, create_user

    taken = two_counties["first"]["users"][Role.OFFICER].username
    with use_scope(county_scope(two_counties["second"]["county"].id), db.session), \
            pytest.raises(UserError, match="已存在"):
        create_user(taken, Role.OFFICER, "a-long-enough-Passw0rd!")
    db.session.rollback()


def test_the_cli_creates_a_city_user_and_a_county_user(db, runner, two_counties):
    for username, key in (("city_reader", "330600"), ("county_officer", "330683")):
        result = runner.invoke(args=["users", "create", "--role", "leader", "--username", username,
                                     "--authority", key, "--password-stdin", "--permanent"],
                               input="a-long-enough-Passw0rd!\n")
        assert result.exit_code == 0, result.output
    users = dict(db.session.execute(select(User.username, User.authority_id).where(
        User.username.in_(["city_reader", "county_officer"]))).all())
    assert users == {"city_reader": two_counties["city"].id, "county_officer": two_counties["second"]["county"].id}
