"""A city of three counties, each with a target of its own or none, and a second city beside it."""

import pytest
from sqlalchemy import select

from pipeline.dashboard.models import AnnualTarget
from pipeline.domain.stages import Stage
from pipeline.firms.models import Firm
from pipeline.i18n import local_today
from pipeline.tenancy.scope import county_scope, use_scope
from pipeline.tenancy.services import add_authority
from tests.tenancy.conftest import two_counties  # noqa: F401

PHONE, EMAIL = "13905751234", "boss@firm-contact.example"


@pytest.fixture
def city(db, two_counties, make_firm, make_town, place_firm, track_by_code):  # noqa: F811 (the fixture above)
    """two_counties, and: 嵊州市 certifies a second 科小 this year (first 1, 嵊州 2 new); both have a 科小 target of 4
    (25 % and 50 %); a third county 新昌县 of the same city has no firms and no target; the city 杭州市 has a county
    淳安县 with a certified firm of its own. Every firm has a contact phone and e-mail."""
    first, second, home = two_counties["first"], two_counties["second"], two_counties["city"]
    year, sme = local_today().year, track_by_code("tech_sme")
    with use_scope(county_scope(second["county"].id)):
        place_firm(make_firm(town=second["town"], name="嵊州市丙科技有限公司"), "tech_sme", Stage.CERTIFIED)
    third = add_authority("county", "新昌县", code="330624", parent_id=home.id)
    other_city = add_authority("city", "杭州市", code="330100")
    other = add_authority("county", "淳安县", code="330127", parent_id=other_city.id)
    with use_scope(county_scope(other.id)):
        place_firm(make_firm(town=make_town("千岛湖镇"), name="淳安县丁科技有限公司"), "tech_sme", Stage.CERTIFIED)
    for county in (first, second):
        db.session.add(AnnualTarget(county_id=county["county"].id, track_id=sme.id, year=year, town_id=None, target=4))
    for firm in db.session.scalars(select(Firm)):
        firm.contact_name, firm.contact_phone, firm.contact_email = "张经理", PHONE, EMAIL
    db.session.commit()
    return dict(two_counties, year=year, third=third, other_city=other_city, other=other)
