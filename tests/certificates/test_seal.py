"""The seal setting: no seal by default, the admin's uploaded 电子印章 when on, anything else refused in Chinese."""

import io
import subprocess

from PIL import Image, ImageDraw
from pypdf import PdfReader
from sqlalchemy import func, select

from pipeline.auth.models import Role
from pipeline.certificates.models import CertificateSeal
from pipeline.certificates.services import certificate_pdf

URL = "/admin/certificate-seal/"


def png(size=(300, 300), mode="RGBA") -> bytes:
    """A red ring on a transparent background (RGBA), or on white (RGB: no transparency)."""
    image = Image.new(mode, size, (255, 255, 255, 0) if mode == "RGBA" else (255, 255, 255))
    ImageDraw.Draw(image).ellipse((4, 4, size[0] - 5, size[1] - 5), outline=(178, 34, 34), width=max(1, size[0] // 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def images_in(pdf: bytes) -> list[tuple[str, int, int]]:
    """Raster images on the page as poppler's pdfimages lists them: (type, width, height); a PNG's transparency is
    its soft mask ("smask"). pypdf, as a second opinion, counts the images proper."""
    listing = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True).stdout
    rows = [line.split() for line in listing.decode().splitlines()[2:]]
    images = [(row[2], int(row[3]), int(row[4])) for row in rows]
    assert len([i for i in images if i[0] == "image"]) == len(PdfReader(io.BytesIO(pdf)).pages[0].images)
    return images


def upload(client, data: bytes, name="seal.png", enabled=True):
    form = {"image": (io.BytesIO(data), name)}
    if enabled:
        form["enabled"] = "y"
    return client.post(URL, data=form, content_type="multipart/form-data", follow_redirects=True)


def test_default_certificate_has_no_seal(issue):
    pdf = certificate_pdf(issue())
    assert images_in(pdf) == []
    assert b"\xe8\xaf\x81\xe4\xb9\xa6\xe4\xb8\x93\xe7\x94\xa8\xe7\xab\xa0" not in pdf  # no drawn 证书专用章 text


def test_uploaded_seal_is_printed_when_on(client, login_as, issue, db):
    login_as(Role.ADMIN)
    response = upload(client, png())
    assert response.status_code == 200 and "设置已保存" in response.get_data(as_text=True)
    assert images_in(certificate_pdf(issue())) == [("image", 300, 300), ("smask", 300, 300)]
    assert client.get(URL + "image.png").headers["Content-Type"] == "image/png"


def test_uploaded_seal_is_not_printed_when_off(client, login_as, issue):
    login_as(Role.ADMIN)
    upload(client, png(), enabled=False)
    assert images_in(certificate_pdf(issue())) == []


def test_a_non_image_is_refused_with_a_chinese_message(client, login_as, db):
    login_as(Role.ADMIN)
    html = upload(client, b"%PDF-1.7 not a seal", name="seal.png").get_data(as_text=True)
    assert "不是 PNG 图片" in html
    assert db.session.scalar(select(func.count()).select_from(CertificateSeal)) == 0


def test_an_opaque_or_tiny_or_broken_png_is_refused(client, login_as, db):
    login_as(Role.ADMIN)
    assert "透明背景" in upload(client, png(mode="RGB")).get_data(as_text=True)
    assert "像素之间" in upload(client, png(size=(40, 40))).get_data(as_text=True)
    assert "无法读取" in upload(client, png()[:60]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CertificateSeal)) == 0


def test_turning_on_without_an_image_is_refused(client, login_as, db):
    login_as(Role.ADMIN)
    html = client.post(URL, data={"enabled": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "请先上传本单位的电子印章图片" in html
    assert db.session.scalar(select(func.count()).select_from(CertificateSeal)) == 0


def test_officers_cannot_change_the_seal(client, login_as):
    login_as(Role.OFFICER)
    assert upload(client, png()).status_code == 403
