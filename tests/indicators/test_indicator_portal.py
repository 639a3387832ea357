"""Firms submit their own figures (待核实) and see "还差什么"; never another firm's figures."""

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.indicators.models import FirmYear, Source, Status
from tests.indicators.conftest import GOOD_YEAR

FORM = {k: str(v) for k, v in GOOD_YEAR.items()}


def test_firm_submits_figures_that_stay_pending(client, db, login_as):
    user = login_as(Role.FIRM)
    response = client.post("/portal/figures/years/new", data={"fiscal_year": "2025", **FORM})
    assert response.status_code == 302
    rows = db.session.scalars(select(FirmYear).where(FirmYear.firm_id == user.firm_id)).all()
    assert [(r.source, r.status) for r in rows] == [(Source.FIRM.value, Status.PENDING.value)]
    page = client.get("/portal/figures/").get_data(as_text=True)
    assert "待核实" in page and "还差什么" in page


def test_firm_form_errors_are_chinese(client, db, login_as):
    login_as(Role.FIRM)
    page = client.post("/portal/figures/years/new", data={"fiscal_year": "2025", **FORM, "tech_staff": "101"})
    assert "多于职工总数" in page.get_data(as_text=True)


def test_portal_shows_what_is_missing(client, db, login_as, make_firm, add_figures):
    firm = add_figures(make_firm(), tech_staff=8)
    db.session.commit()
    login_as(Role.FIRM, firm=firm)
    page = client.get("/portal/").get_data(as_text=True)
    assert "还差什么" in page and "差 3 人" in page


def test_firm_sees_only_its_own_figures(client, db, login_as, make_firm, add_figures):
    other = add_figures(make_firm(name="别家企业有限公司"), sales="12345")
    db.session.commit()
    login_as(Role.FIRM)
    page = client.get("/portal/figures/").get_data(as_text=True)
    assert "12345" not in page and "别家企业" not in page
    for url in (f"/indicators/firms/{other.id}", f"/indicators/firms/{other.id}/years/2025", "/indicators/pending",
                "/indicators/screening/tech_sme", "/excel/", "/excel/export/firms.xlsx"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/indicators/firms/{other.id}/submissions/2025/confirm").status_code == 404


def test_firm_cannot_submit_flags(client, db, login_as):
    from pipeline.indicators.models import FirmFacts

    user = login_as(Role.FIRM)
    client.post("/portal/figures/facts", data={"ip_class_ii": "2", "major_incident": "y"})
    row = db.session.scalar(select(FirmFacts).where(FirmFacts.firm_id == user.firm_id))
    assert row.ip_class_ii == 2 and row.major_incident is False and row.status == Status.PENDING.value


def test_a_year_outside_the_accepted_range_is_404(client, db, login_as):
    login_as(Role.FIRM)
    assert client.get("/portal/figures/years/1989").status_code == 404
    assert client.get("/portal/figures/years/2999").status_code == 404
