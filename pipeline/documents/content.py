"""What kind of file an upload is, judged by its bytes (never by its name or the browser's claim)."""

from __future__ import annotations

import io
import zipfile

MIMETYPES = {
    "pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png", "ofd": "application/ofd",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "xlsx": ".xlsx", "docx": ".docx", "ofd": ".ofd"}
# A member that marks each kind of zip container: Office Open XML's main part, OFD's entry file (GB/T 33190).
_ZIP_MARKERS = (("xlsx", "xl/workbook.xml"), ("docx", "word/document.xml"), ("ofd", "OFD.xml"))


def detect_kind(content: bytes) -> str | None:
    """pdf, jpeg, png, xlsx, docx or ofd from the file's first bytes (and a zip's directory), or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def _zip_kind(content: bytes) -> str | None:
    """Read only the zip's directory (names), never unpack a member: a zip bomb costs nothing here."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    for kind, marker in _ZIP_MARKERS:
        if marker in names:
            return kind
    return None


def file_size(size: int) -> str:
    """20 MB, 1.5 MB, 340 KB: a size as a list or a message shows it."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"
