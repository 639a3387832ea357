"""Two counties of one city in one database: county 1 (the installation's own) and a second one."""

import pytest

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.tenancy.scope import county_scope, use_scope
from pipeline.tenancy.services import add_authority


@pytest.fixture
def two_counties(db, make_firm, make_town, make_user, place_firm):
    """Each county with a town, two firms on the 科小 track (one in 入库, one certified), an officer, an admin, a
    leader and a firm user; and the city above both with a leader of its own."""
    from pipeline.tenancy.models import Authority

    city = add_authority("city", "绍兴市", code="330600")
    first = db.session.get(Authority, 1)
    first.parent_id = city.id
    second = add_authority("county", "嵊州市", code="330683", parent_id=city.id, bureau_name="嵊州市科学技术局")
    counties = {}
    for county, town_name in ((first, "南明街道"), (second, "剡湖街道")):
        with use_scope(county_scope(county.id)):
            town = make_town(town_name)
            pooled = make_firm(town=town, name=f"{county.name}甲科技有限公司")
            certified = make_firm(town=town, name=f"{county.name}乙科技有限公司")
            place_firm(pooled, "tech_sme", Stage.POOL)
            place_firm(certified, "tech_sme", Stage.CERTIFIED)
            users = {role: make_user(role, authority_id=county.id) for role in (Role.OFFICER, Role.ADMIN, Role.LEADER)}
            users[Role.FIRM] = make_user(Role.FIRM, firm=pooled, authority_id=county.id)
        counties[county.id] = dict(county=county, town=town, firms=[pooled, certified], users=users)
    city_leader = make_user(Role.LEADER, authority_id=city.id)
    db.session.commit()
    return dict(city=city, city_leader=city_leader, first=counties[first.id], second=counties[second.id])
