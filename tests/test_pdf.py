"""Shared PDF infrastructure: plain values only, a fetcher that stays inside static/, the CJK font list."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from pipeline.pdf import PdfError, StaticOnlyFetcher, check_plain, font_css, html_to_pdf, static_root
from pipeline.pdf_fonts import SUPPLEMENT_PATH, build_supplement_font, locate_font, missing_codepoints


@dataclass(frozen=True)
class Line:
    text: str
    day: date


@dataclass(frozen=True)
class Doc:
    title: str
    lines: tuple[Line, ...]


@dataclass
class Mutable:
    title: str


def test_plain_frozen_dataclasses_pass():
    check_plain(Doc("入库证书", (Line("甲", date(2026, 1, 1)),)))


@pytest.mark.parametrize("value", [Mutable("x"), Doc("x", (object(),)), {"title": "x"}])
def test_anything_but_frozen_plain_values_is_refused(value):
    with pytest.raises(TypeError):
        check_plain(value)


def test_orm_objects_are_refused(app, make_firm):
    @dataclass(frozen=True)
    class Leaky:
        firm: object

    with pytest.raises(TypeError, match="Firm is not a plain value"):
        check_plain(Leaky(make_firm()))


@pytest.mark.parametrize("url", [
    "http://example.com/x.css", "https://127.0.0.1/x.css", "ftp://example.com/x", "file:///etc/passwd",
    "file://otherhost/static/pdf/base.css",
])
def test_fetcher_refuses_hosts_and_files_outside_static(app, url):
    with pytest.raises(ValueError, match="refused"):
        StaticOnlyFetcher(static_root()).fetch(url)


def test_fetcher_refuses_escapes_from_static(app):
    sneaky = (static_root() / "pdf" / ".." / ".." / "config.py").as_uri()
    with pytest.raises(ValueError, match="refused"):
        StaticOnlyFetcher(static_root()).fetch(sneaky)


def test_fetcher_reads_static_files_and_data_urls(app):
    fetcher = StaticOnlyFetcher(static_root())
    response = fetcher.fetch((static_root() / "pdf" / "base.css").as_uri())
    assert b"font-size" in response.read()
    assert fetcher.fetch("data:text/plain;base64,5YWl5bqT").read().decode() == "入库"


def test_a_refused_resource_stops_the_rendering(app):
    with pytest.raises(PdfError):
        html_to_pdf('<p>x</p><img src="http://example.com/logo.png">')
    with pytest.raises(PdfError):
        html_to_pdf('<link rel="stylesheet" href="file:///etc/passwd"><p>x</p>')


def test_font_list_names_the_simplified_chinese_noto_family(tmp_path):
    css = font_css(tmp_path)
    assert '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif' in css and "@font-face" not in css
    (tmp_path / SUPPLEMENT_PATH).parent.mkdir(parents=True)
    (tmp_path / SUPPLEMENT_PATH).write_bytes(b"font")
    css = font_css(tmp_path)
    assert f"src: url({SUPPLEMENT_PATH})" in css
    assert '"WenQuanYi Micro Hei", "Noto Sans CJK SC Supplement", "Noto Sans CJK SC"' in css


def test_supplement_font_holds_what_wenquanyi_lacks_in_the_sc_face(tmp_path):
    from fontTools.ttLib import TTFont

    source, primary = locate_font("Noto Sans CJK SC"), locate_font("WenQuanYi Micro Hei")
    assert source[1] == 2  # the SC face of the collection, not index 0 (JP)
    missing = missing_codepoints(primary, source)
    assert {ord("䶮"), ord("㮾")} <= set(missing) and ord("喆") not in missing
    target = tmp_path / "supplement.otf"
    build_supplement_font(target, source, [ord("䶮"), ord("㮾")])
    with TTFont(target) as font:
        assert font["name"].getDebugName(6) == "NotoSansCJKsc-Regular"
        assert {ord("䶮"), ord("㮾")} <= set(font.getBestCmap())


def test_build_fonts_command_skips_an_existing_font(app, runner):
    if not (Path(app.static_folder) / SUPPLEMENT_PATH).is_file():
        pytest.skip("supplement font not built here (`flask pdf build-fonts`)")
    result = runner.invoke(args=["pdf", "build-fonts"])
    assert result.exit_code == 0 and "已存在" in result.output
