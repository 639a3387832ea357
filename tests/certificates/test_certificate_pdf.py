"""The 入库证书 PDF: the right text, embedded Simplified-Chinese fonts, a real glyph for every character, a QR
code that leads to the verify page."""

import io
from datetime import date

import pytest
import zxingcpp
from pypdf import PdfReader

from pipeline.certificates.documents import make_certificate_document
from pipeline.certificates.services import certificate_pdf
from pipeline.pdf import html_to_pdf, render_html
from tests.certificates.conftest import RARE_NAME
from tests.certificates.pdfcheck import chars_without_glyph, embedded_fonts, page_image, pdffonts, pdftotext

RARE = "喆垚犇燊堃昇鑫珺玥䶮㮾"
EXTERNAL = "https://kjj.example.gov.cn/pipeline"
UNCOVERED = "\U0002A700"  # 𪜀, CJK Extension C: no installed font has it, so it must show as an empty box
NO_SUPPLEMENT = 'html, svg text { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif !important; }'


@pytest.fixture
def certificate(app, issue, make_firm, monkeypatch):
    monkeypatch.setitem(app.config, "PIPELINE_AUTHORITY_NAME", "新昌县科学技术局")
    monkeypatch.setitem(app.config, "PIPELINE_EXTERNAL_URL", EXTERNAL)
    certificate = issue(firm=make_firm(name=RARE_NAME, credit_code="91330624MA2D8XYZ3K"))
    certificate_pdf(certificate)  # rendered from the stored snapshot, as on the first download
    return certificate


def sample_html(name=RARE_NAME):
    document = make_certificate_document(
        firm_name=name, credit_code="91330624MA2D8XYZ3K", track_name="科技型中小企业", number="科小-2026-0007",
        year=2026, issued_on=date(2026, 3, 2), reissued_on=None, authority="新昌县科学技术局",
        verification_code="K7M2QX9RTD4HWP6VNB3C", external_url=EXTERNAL)
    return render_html("pdf/certificate.html", document)


def test_text_extraction_finds_rare_name_number_and_authority(certificate):
    for text in (pdftotext(certificate.pdf), PdfReader(io.BytesIO(certificate.pdf)).pages[0].extract_text()):
        assert RARE_NAME in text
        assert certificate.number in text
        assert "新昌县科学技术局" in text
        assert "入" in text and "证" in text and "91330624MA2D8XYZ3K" in text


def test_one_a4_landscape_page(certificate):
    reader = PdfReader(io.BytesIO(certificate.pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_cjk_fonts_are_embedded(certificate):
    fonts = pdffonts(certificate.pdf)
    assert fonts and all(font["emb"] == "yes" for font in fonts)
    names = " ".join(font["name"] for font in fonts)
    assert "WenQuanYi-Micro-Hei" in names and "Noto-Sans-CJK-SC" in names  # 䶮 㮾 come from the Noto SC face


def test_every_character_is_drawn_by_a_real_glyph(certificate):
    page_text = RARE_NAME + certificate.number + "入库证书新昌县科学技术局证书验证码二〇二六年三月二日"
    assert chars_without_glyph(certificate.pdf, page_text) == set()


def test_noto_glyphs_come_from_the_simplified_chinese_face(certificate):
    noto = [font for font in embedded_fonts(certificate.pdf) if "Noto" in font.base_font]
    assert noto
    for font in noto:
        assert "CJKsc" in font.postscript_name, font.postscript_name  # not CJKjp (index 0 of the .ttc)
        assert {"䶮", "㮾"} & set(font.to_unicode.values())


def test_the_glyph_check_catches_empty_boxes(app):
    """Control: text extraction finds a character that no font can draw; the glyph check does not let it pass."""
    pdf = html_to_pdf(sample_html(f"新昌{UNCOVERED}{RARE}有限公司"))
    assert UNCOVERED in pdftotext(pdf)
    assert chars_without_glyph(pdf, UNCOVERED + RARE) == {UNCOVERED}


def test_without_the_supplement_font_noto_sans_cjk_sc_covers_extension_a(app):
    pdf = html_to_pdf(sample_html(), extra_css=(NO_SUPPLEMENT,))
    assert chars_without_glyph(pdf, RARE_NAME) == set()
    assert any("NotoSansCJKsc" in font.postscript_name for font in embedded_fonts(pdf))


def test_qr_code_on_the_page_decodes_to_the_verify_url(certificate):
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(page_image(certificate.pdf))]
    assert decoded == [f"{EXTERNAL}/verify/{certificate.verification_code}"]
    assert certificate.snapshot["verify_url"] == decoded[0]


def test_verification_code_is_printed_for_typing(certificate):
    code = certificate.verification_code
    grouped = "-".join(code[i:i + 5] for i in range(0, 20, 5))
    assert grouped in pdftotext(certificate.pdf)
