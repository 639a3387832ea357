"""省科小 screening: candidates by the provincial conditions, their gaps, and entering 遴选 through move_firm."""

import pytest
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack
from tests.indicators.conftest import add_figures  # noqa: F401 (fixture)


@pytest.fixture
def candidates(db, make_firm, add_figures):  # noqa: F811
    firms = {
        "good": add_figures(make_firm(name="合格企业")),
        "short": add_figures(make_firm(name="差一人企业"), tech_staff=9),
        "no_ip": add_figures(make_firm(name="无授权知识产权企业"), facts={"ip_class_i": 0, "ip_class_ii": 0}),
        "large": add_figures(make_firm(name="大型企业"), employees=1200, tech_staff=300, sales=50000),
    }
    db.session.commit()
    return firms


def test_officer_sees_qualified_near_misses_and_gaps_and_enters_a_firm(client, login_as, db, candidates,
                                                                       track_by_code):
    login_as(Role.OFFICER)
    page = client.get("/funnel/screening/prov_sme").get_data(as_text=True)
    assert "合格企业" in page and "无授权知识产权企业" in page and "待核实" in page
    assert "差一人企业" in page and "差 1 人" in page
    assert "大型企业" not in page  # two conditions short
    response = client.post("/funnel/screening/prov_sme/enter", data={"firm_id": [candidates["good"].id]})
    assert response.status_code == 302
    record = db.session.scalar(select(FirmTrack).where(FirmTrack.firm_id == candidates["good"].id,
                                                       FirmTrack.track_id == track_by_code("prov_sme").id))
    assert record.stage is Stage.SCREENING
    assert "合格企业" not in client.get("/funnel/screening/prov_sme").get_data(as_text=True)
    assert client.post("/funnel/screening/prov_sme/enter", data={}).status_code == 302  # nothing ticked: a flash


@pytest.mark.parametrize(("role", "get", "post"), [(Role.LEADER, 200, 403), (Role.FIRM, 404, 404),
                                                   (Role.ADMIN, 200, 302)])
def test_who_may_screen(client, login_as, make_firm, db, role, get, post):
    firm = make_firm()
    db.session.commit()
    login_as(role)
    assert client.get("/funnel/screening/prov_sme").status_code == get
    assert client.post("/funnel/screening/prov_sme/enter", data={"firm_id": [firm.id]}).status_code == post
