"""The dossier lists the documents on file (current versions), and says nothing of them when there are none."""

from pipeline.auth.models import Role
from tests.certificates.pdfcheck import pdftotext
from tests.documents.conftest import PDF


def test_dossier_lists_the_documents_on_file(client, login_as, make_firm, doc_type, post_file):
    firm, bare = make_firm(name="材料档案测试有限公司"), make_firm()
    login_as(Role.OFFICER)
    url = f"/documents/firms/{firm.id}"
    post_file(url, PDF, "2025审计报告.pdf", type_id=doc_type("audit_report").id, fiscal_year=2025, dated_on="2026-03-15")
    post_file(url, PDF + b"%2", "2025审计报告更正.pdf", type_id=doc_type("audit_report").id, fiscal_year=2025)
    post_file(url, PDF, "营业执照.pdf", type_id=doc_type("business_license").id)
    text = pdftotext(client.get(f"/certificates/firms/{firm.id}/dossier.pdf").data)
    for expected in ("七、企业材料", "审计报告", "2025审计报告更正.pdf", "第2版", "营业执照.pdf"):
        assert expected in text, expected
    assert "2025审计报告.pdf" not in text  # superseded
    assert "企业材料" not in pdftotext(client.get(f"/certificates/firms/{bare.id}/dossier.pdf").data)
