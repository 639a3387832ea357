"""The kind of a file is judged by its bytes."""

import pytest

from pipeline.documents.content import detect_kind
from pipeline.documents.services import stored_name
from tests.documents.conftest import HTML, JPEG, PDF, PNG, zip_with


@pytest.mark.parametrize(("content", "kind"), [
    (PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (zip_with("xl/workbook.xml"), "xlsx"),
    (zip_with("word/document.xml"), "docx"), (zip_with("OFD.xml", "Doc_0/Document.xml"), "ofd"),
    (HTML, None), (b"", None), (zip_with("other.txt"), None), (b"PK\x03\x04 not a zip", None),
    (b"MZ\x90\x00", None),
])
def test_kind_comes_from_the_bytes(content, kind):
    assert detect_kind(content) == kind


def test_stored_name_drops_folders_and_control_characters_and_takes_the_real_extension():
    assert stored_name("C:\\Users\\a\\2025 审计报告.PDF", "pdf") == "2025 审计报告.pdf"
    assert stored_name("../../etc/passwd", "pdf") == "passwd.pdf"
    assert stored_name('a"b<c>\u2028.docx', "docx") == "a_b_c.docx"
    assert stored_name("report.html", "pdf") == "report.pdf"
    assert stored_name("", "png") == "document.png"


def test_sizes_read_well():
    from pipeline.documents.content import file_size

    assert [file_size(n) for n in (20 * 1024 * 1024, 1536 * 1024, 4096, 10)] == ["20 MB", "1.5 MB", "4 KB", "1 KB"]
