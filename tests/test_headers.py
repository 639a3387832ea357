"""Response headers (issue 18, finding 10): HSTS in production; downloads of firm data are never stored."""

import pytest

from config import ProductionConfig
from pipeline import create_app
from pipeline.auth.models import Role
from pipeline.domain.stages import Stage


def test_production_sends_hsts(database_url):
    app = create_app(ProductionConfig(env={"SECRET_KEY": "s" * 40, "DATABASE_URL": database_url}))
    response = app.test_client().get("/login", base_url="https://pipeline.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_development_and_tests_send_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.mark.parametrize("url", ["/excel/export/firms.xlsx", "/excel/export/pool.xlsx", "/excel/template.xlsx",
                                 "/certificates/firms/{firm}/dossier.pdf", "/certificates/{certificate}/pdf"])
def test_downloads_with_firm_data_are_no_store(client, db, login_as, make_firm, place_firm, url):
    from pipeline.certificates.models import Certificate

    firm = make_firm()
    place_firm(firm, "tech_sme", Stage.POOL)
    certificate = db.session.query(Certificate).filter_by(firm_id=firm.id).first()
    login_as(Role.OFFICER)
    response = client.get(url.format(firm=firm.id, certificate=certificate.id if certificate else 0))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
