"""The CJK supplement font: the Han characters Noto Sans CJK SC has and WenQuanYi Micro Hei lacks.

Pango falls back per glyph from WenQuanYi Micro Hei (TrueType, cheap to subset) to the next family for characters
it lacks, chiefly CJK Extension A (䶮 㮾). Subsetting the whole Noto Sans CJK SC (a 19 MB CFF collection) for those
costs about 15 ms per PDF; a 3 MB font holding only the missing characters, cut from the Simplified-Chinese face of
that collection, costs about 4 ms (bench/bench_certificate.py measures both). It is built on the machine from the
installed Debian fonts by `flask pdf build-fonts` (run by `make setup`), never downloaded, never committed. Without
it PDFs fall back to the system Noto Sans CJK SC: the same glyphs, only slower.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

SUPPLEMENT_FAMILY = "Noto Sans CJK SC Supplement"
SUPPLEMENT_PATH = "pdf/fonts/NotoSansCJKsc-Supplement.otf"  # under static/
PRIMARY_FAMILY = "WenQuanYi Micro Hei"
SOURCE_FAMILY = "Noto Sans CJK SC"
# Radicals, CJK symbols and punctuation, strokes, Extension A, unified ideographs, compatibility, Extensions B and up.
HAN_RANGES = ((0x2E80, 0x2FDF), (0x3000, 0x303F), (0x31C0, 0x31EF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
              (0xF900, 0xFAFF), (0x20000, 0x3FFFF))


def locate_font(family: str) -> tuple[Path, int]:
    """The file and collection index fontconfig uses for a family (the SC face of the Noto collection is index 2)."""
    out = subprocess.run(["fc-match", "-f", "%{family[0]}|%{file}|%{index}", family],  # noqa: S603,S607
                         capture_output=True, text=True, check=True, timeout=30).stdout
    found, path, index = out.split("|")
    if found != family:
        raise click.ClickException(f"font {family!r} is not installed (fontconfig offers {found!r})")
    return Path(path), int(index)


def missing_codepoints(primary: tuple[Path, int], source: tuple[Path, int], ranges=HAN_RANGES) -> list[int]:
    """Code points within `ranges` that the source font has and the primary font lacks."""
    from fontTools.ttLib import TTFont

    with TTFont(primary[0], fontNumber=primary[1], lazy=True) as font:
        have = set(font.getBestCmap())
    with TTFont(source[0], fontNumber=source[1], lazy=True) as font:
        offer = font.getBestCmap()
    return sorted(cp for cp in offer if cp not in have and any(lo <= cp <= hi for lo, hi in ranges))


def build_supplement_font(target: Path, source: tuple[Path, int], codepoints: list[int]) -> int:
    """Cut the glyphs of `codepoints` out of the source face into target; return the number of characters."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "BASE"]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with TTFont(source[0], fontNumber=source[1]) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        font.save(partial)
    partial.replace(target)  # never leave a half-written font where the PDFs look for it
    return len(codepoints)


pdf_cli = AppGroup("pdf", help="PDF 字体等 / PDF fonts")


@pdf_cli.command("build-fonts")
@click.option("--force", is_flag=True, help="即使已存在也重新生成")
def build_fonts_command(force):
    """Build the CJK supplement font from the installed fonts (takes about 15 s, once)."""
    target = Path(current_app.static_folder) / SUPPLEMENT_PATH
    if target.exists() and not force:
        click.echo(f"已存在 {target}")
        return
    source = locate_font(SOURCE_FAMILY)
    codepoints = missing_codepoints(locate_font(PRIMARY_FAMILY), source)
    count = build_supplement_font(target, source, codepoints)
    click.echo(f"已生成 {target}（{count} 个字符，{target.stat().st_size // 1024} KB）")
