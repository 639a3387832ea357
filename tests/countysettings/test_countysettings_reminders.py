"""Each county keeps its own reminder rules and calendar: its admin edits them, the other county's stay as they
were, and the daily reminders job of each county follows its own."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select, text

from pipeline.auth.models import Role
from pipeline.reminders.defaults import DEFAULT_RULES, DEFAULT_YEARS
from pipeline.reminders.jobs import run_reminders_job
from pipeline.reminders.models import HnteBatch, ProgramYear, Reminder, ReminderRule
from pipeline.tenancy.scope import county_scope, use_scope
from pipeline.tenancy.services import add_authority

WINDOW_OPENS = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai the day the seeded 科小 window opens


def rule(db, county, code="hnte_expiry"):
    db.session.expire_all()
    return db.session.get(ReminderRule, (code, county["county"].id))


def evaluation_reminders(db, county) -> set[int]:
    """The firms of the county that got the 科小 evaluation reminder."""
    return set(db.session.scalars(select(Reminder.firm_id).where(
        Reminder.rule_code == "tech_sme_evaluation", Reminder.county_id == county["county"].id)))


def test_a_county_admin_edits_its_own_rule_and_the_other_county_keeps_its(client, db, two_counties, log_in):
    first, second = two_counties["first"], two_counties["second"]
    default_subject = rule(db, first).subject_template
    log_in(second["users"][Role.ADMIN])
    response = client.post("/admin/reminders/rules/hnte_expiry",
                           data={"enabled": "y", "subject": "嵊州：{企业名称}证书将到期", "body": "请在 {剩余天数} 天内准备。"})
    assert response.status_code == 302
    assert client.post("/admin/reminders/rules/stale_digest/toggle").status_code == 302
    assert rule(db, second).subject_template == "嵊州：{企业名称}证书将到期"
    assert rule(db, second, "stale_digest").enabled is False
    assert rule(db, first).subject_template == default_subject
    assert rule(db, first, "stale_digest").enabled is True
    log_in(first["users"][Role.ADMIN])
    page = client.get("/admin/reminders/rules/hnte_expiry").get_data(as_text=True)
    assert default_subject in page and "嵊州" not in page
    assert "已停用" not in client.get("/admin/reminders/").get_data(as_text=True)


def test_each_county_keeps_its_own_calendar(client, db, two_counties, log_in):
    first, second = two_counties["first"], two_counties["second"]
    log_in(second["users"][Role.ADMIN])
    response = client.post("/admin/reminders/calendar/2027", data={
        "tech_sme_opens_on": "2027-06-01", "tech_sme_closes_on": "2027-08-31", "hnte_batches": "2027-04-30"})
    assert response.status_code == 302
    # The same batch day as the first county's is allowed: the dates are unique within a county.
    client.post("/admin/reminders/calendar/2026", data={"tech_sme_opens_on": "2026-06-10", "hnte_batches": "2026-04-30"})
    db.session.expire_all()
    assert db.session.get(ProgramYear, (2027, second["county"].id)).tech_sme_opens_on == date(2027, 6, 1)
    assert db.session.get(ProgramYear, (2027, first["county"].id)) is None
    assert db.session.get(ProgramYear, (2026, first["county"].id)).tech_sme_opens_on == date(2026, 6, 1)
    assert [b.due_on for b in db.session.get(ProgramYear, (2026, first["county"].id)).hnte_batches] == \
        [date(2026, 4, 30), date(2026, 7, 31)]
    assert "2026-06-10" in client.get("/admin/reminders/calendar").get_data(as_text=True)
    log_in(first["users"][Role.ADMIN])
    page = client.get("/admin/reminders/calendar").get_data(as_text=True)
    assert "2027-06-01" not in page and "2026-06-10" not in page and "2026-06-01" in page
    assert "2027-04-30" not in client.get("/admin/reminders/calendar/2027").get_data(as_text=True)


def test_a_user_above_the_counties_has_no_county_settings_to_see_or_change(client, db, two_counties, log_in,
                                                                         make_user):
    city_admin = make_user(Role.ADMIN, authority_id=two_counties["city"].id)
    db.session.commit()
    log_in(city_admin)
    for url in ("/admin/reminders/", "/admin/reminders/rules/hnte_expiry", "/admin/reminders/calendar",
                "/admin/reminders/calendar/2026", "/admin/certificate-seal/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/reminders/rules/hnte_expiry/toggle").status_code == 403
    assert rule(db, two_counties["first"]).enabled and rule(db, two_counties["second"]).enabled
    log_in(two_counties["second"]["users"][Role.OFFICER])
    assert client.get("/admin/reminders/").status_code == 403


def test_the_reminders_job_of_each_county_follows_that_countys_rules(db, two_counties):
    first, second = two_counties["first"], two_counties["second"]
    rule(db, second, "tech_sme_evaluation").enabled = False
    db.session.commit()
    run_reminders_job(WINDOW_OPENS)
    assert first["firms"][0].id in evaluation_reminders(db, first)
    assert evaluation_reminders(db, second) == set()
    rule(db, second, "tech_sme_evaluation").enabled = True
    db.session.commit()
    run_reminders_job(WINDOW_OPENS)
    assert second["firms"][0].id in evaluation_reminders(db, second)
    assert db.session.scalar(select(func.count()).select_from(Reminder).where(
        Reminder.county_id == second["county"].id, Reminder.firm_id.in_([f.id for f in first["firms"]]))) == 0


def test_the_reminders_job_of_each_county_follows_that_countys_calendar(db, two_counties):
    first, second = two_counties["first"], two_counties["second"]
    db.session.get(ProgramYear, (2026, second["county"].id)).tech_sme_opens_on = date(2026, 6, 20)
    db.session.commit()
    run_reminders_job(WINDOW_OPENS)
    assert first["firms"][0].id in evaluation_reminders(db, first)
    assert evaluation_reminders(db, second) == set()


def test_a_reminder_uses_its_own_countys_wording(db, two_counties):
    first, second = two_counties["first"], two_counties["second"]
    rule(db, second, "tech_sme_evaluation").subject_template = "嵊州：{评价年度}年度科小评价开始了"
    db.session.commit()
    run_reminders_job(WINDOW_OPENS)
    titles = dict(db.session.execute(select(Reminder.county_id, Reminder.title).where(
        Reminder.rule_code == "tech_sme_evaluation")).all())
    assert titles[second["county"].id] == "嵊州：2026年度科小评价开始了"
    assert titles[first["county"].id].startswith("2026年度科技型中小企业评价填报提醒")


def test_a_new_county_gets_the_default_rules_and_calendar(db, two_counties):
    county = add_authority("county", "新昌县", code="330624", parent_id=two_counties["city"].id)
    db.session.commit()
    rules = {r.code: r for r in db.session.scalars(select(ReminderRule).where(ReminderRule.county_id == county.id))}
    assert {code: (r.subject_template, r.body_template) for code, r in rules.items()} == DEFAULT_RULES
    assert all(r.enabled for r in rules.values())
    batches = db.session.scalars(select(HnteBatch.due_on).where(HnteBatch.county_id == county.id))
    assert sorted(batches) == sorted(d for _o, _c, days in DEFAULT_YEARS.values() for d in days)
    assert add_authority("city", "金华市", code="330700").id not in set(
        db.session.scalars(select(ReminderRule.county_id)))


def test_the_defaults_are_what_the_migrations_gave_the_first_county(db):
    """The installation's county was seeded by migrations 0003 and 0017; a new county by defaults.py."""
    rules = db.session.scalars(select(ReminderRule).where(ReminderRule.county_id == 1))
    assert {r.code: (r.subject_template, r.body_template) for r in rules} == DEFAULT_RULES
    years = {y.year: (y.tech_sme_opens_on, y.tech_sme_closes_on, tuple(b.due_on for b in y.hnte_batches))
             for y in db.session.scalars(select(ProgramYear).where(ProgramYear.county_id == 1))}
    assert years == DEFAULT_YEARS


def test_postgresql_shows_a_county_only_its_own_settings_rows(db, two_counties):
    if db.engine.dialect.name != "postgresql":
        import pytest

        pytest.skip("row-level security is PostgreSQL's")
    second = two_counties["second"]["county"].id
    with use_scope(county_scope(second), db.session):
        for table in ("reminder_rule", "program_year", "hnte_batch"):
            counties = set(db.session.execute(text(f"SELECT DISTINCT county_id FROM {table}")).scalars())  # noqa: S608
            assert counties == {second}, table
    db.session.rollback()
