"""Look inside a PDF the way a reader would: its text, its fonts, and whether every character has a real glyph."""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass, field

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import IndirectObject

BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


@dataclass
class EmbeddedFont:
    base_font: str
    postscript_name: str
    program: TTFont | None
    to_unicode: dict[int, str] = field(default_factory=dict)  # glyph id → text

    def has_outline(self, gid: int) -> bool:
        """True when the glyph exists in the embedded program and draws something (not .notdef, not empty)."""
        if self.program is None or gid == 0 or gid >= self.program["maxp"].numGlyphs:
            return False
        glyphs = self.program.getGlyphSet()
        pen = BoundsPen(glyphs)
        glyphs[self.program.getGlyphName(gid)].draw(pen)
        return pen.bounds is not None


def _fonts_of(resources, seen: set) -> list:
    found = []
    if resources is None:
        return found
    resources = resources.get_object()
    for ref in (resources.get("/Font") or {}).values():
        key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
        if key not in seen:
            seen.add(key)
            found.append(ref.get_object())
    for ref in (resources.get("/XObject") or {}).values():  # SVG and other forms carry their own fonts
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form":
            found += _fonts_of(xobject.get("/Resources"), seen)
    return found


def embedded_fonts(pdf: bytes) -> list[EmbeddedFont]:
    reader = PdfReader(io.BytesIO(pdf))
    seen: set = set()
    result = []
    for page in reader.pages:
        for font in _fonts_of(page.get("/Resources"), seen):
            program, ps_name = None, ""
            descendants = font.get("/DescendantFonts")
            if descendants:
                descriptor = descendants[0].get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        program = TTFont(io.BytesIO(descriptor[key].get_object().get_data()))
                        ps_name = program["name"].getDebugName(6) or ""
            to_unicode = {}
            if "/ToUnicode" in font:
                for gid, text in BFCHAR.findall(font["/ToUnicode"].get_object().get_data()):
                    to_unicode[int(gid, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
            result.append(EmbeddedFont(str(font["/BaseFont"]), ps_name, program, to_unicode))
    return result


def chars_without_glyph(pdf: bytes, text: str) -> set[str]:
    """The characters of `text` that no embedded font draws with a real glyph."""
    drawn: set[str] = set()
    for font in embedded_fonts(pdf):
        drawn |= {t for gid, t in font.to_unicode.items() if font.has_outline(gid)}
    return {ch for ch in text if not ch.isspace() and ch not in drawn}


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True, timeout=60).stdout.decode()


def pdffonts(pdf: bytes) -> list[dict]:
    """pdffonts' table as dicts: name, type, emb (yes/no)…"""
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True, timeout=60).stdout.decode()
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name, type (1–3 words), encoding, emb, sub, uni, object, ID
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3],
                     "type": " ".join(parts[1:-6])})
    return rows


def page_image(pdf: bytes, dpi: int = 150):
    """The first page as a PIL image, rendered by poppler (pdftoppm)."""
    import tempfile
    from pathlib import Path

    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(source),
                        str(Path(folder) / "page")], check=True, timeout=60)
        with Image.open(Path(folder) / "page.png") as image:
            return image.convert("L")
