"""Each county sets its own certificate seal, and a county's certificates print its own seal (or none)."""

import io

from PIL import Image, ImageDraw
from sqlalchemy import select, text

from pipeline.auth.models import Role
from pipeline.certificates.models import Certificate, CertificateSeal
from pipeline.certificates.seal import seal_for_certificate
from pipeline.certificates.services import certificate_pdf
from pipeline.tenancy.scope import county_scope, use_scope

URL = "/admin/certificate-seal/"


def png(size: int) -> bytes:
    """A red ring on a transparent background, size × size pixels."""
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    ImageDraw.Draw(image).ellipse((4, 4, size - 5, size - 5), outline=(178, 34, 34), width=10)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, data: bytes):
    return client.post(URL, data={"image": (io.BytesIO(data), "seal.png"), "enabled": "y"},
                       content_type="multipart/form-data")


def certificate_of(db, county) -> Certificate:
    return db.session.scalar(select(Certificate).where(Certificate.firm_id == county["firms"][0].id))


def test_each_county_admin_sets_its_own_seal_and_sees_only_it(client, db, two_counties, log_in):
    first, second = two_counties["first"], two_counties["second"]
    log_in(second["users"][Role.ADMIN])
    assert upload(client, png(300)).status_code == 302
    assert client.get(URL + "image.png").status_code == 200
    log_in(first["users"][Role.ADMIN])
    assert client.get(URL + "image.png").status_code == 404  # the other county's seal is not this county's
    assert "seal-preview" not in client.get(URL).get_data(as_text=True)
    assert upload(client, png(200)).status_code == 302
    seals = {seal.county_id: seal.width for seal in db.session.scalars(select(CertificateSeal))}
    assert seals == {first["county"].id: 200, second["county"].id: 300}
    log_in(second["users"][Role.ADMIN])
    assert Image.open(io.BytesIO(client.get(URL + "image.png").data)).size == (300, 300)


def test_a_countys_certificate_carries_its_own_seal(client, db, two_counties, log_in, monkeypatch):
    first, second = two_counties["first"], two_counties["second"]
    log_in(second["users"][Role.ADMIN])
    upload(client, png(300))
    assert seal_for_certificate(first["county"].id) is None
    assert seal_for_certificate(second["county"].id).width == 300
    printed = []
    monkeypatch.setattr("pipeline.certificates.services.render_pdf",
                        lambda template, document: printed.append(document.seal_image) or b"%PDF-1.7")
    for county in (first, second):
        certificate_pdf(certificate_of(db, county))
    assert printed[0] == "" and printed[1].startswith("data:image/png;base64,")


def test_postgresql_shows_a_county_only_its_own_seal(client, db, two_counties, log_in):
    if db.engine.dialect.name != "postgresql":
        import pytest

        pytest.skip("row-level security is PostgreSQL's")
    for county in (two_counties["first"], two_counties["second"]):
        log_in(county["users"][Role.ADMIN])
        upload(client, png(300))
    second = two_counties["second"]["county"].id
    with use_scope(county_scope(second), db.session):
        assert set(db.session.execute(text("SELECT county_id FROM certificate_seal")).scalars()) == {second}
    db.session.rollback()
