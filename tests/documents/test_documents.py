"""Firm documents: upload, versions, downloads as attachments, refusals that store nothing, who sees what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from pipeline.auth.models import Role
from pipeline.documents.models import Document, DocumentType, DocumentVersion
from pipeline.firms.models import ServiceRecord
from tests.documents.conftest import HTML, PDF, PNG, zip_with


def count_versions(db) -> int:
    return db.session.scalar(select(func.count(DocumentVersion.id)))


def test_default_types_are_seeded(db):
    names = list(db.session.scalars(select(DocumentType.name).order_by(DocumentType.sort_order)))
    assert names == ["审计报告", "研发费用专项审计报告", "高新收入专项审计报告", "知识产权证书", "营业执照", "申报书",
                     "照片", "走访记录表"]


def test_officer_uploads_downloads_and_supersedes(client, db, login_as, make_firm, doc_type, post_file):
    firm = make_firm()
    login_as(Role.OFFICER)
    url = f"/documents/firms/{firm.id}"
    response = post_file(url, PDF, "2025年度审计报告.pdf", type_id=doc_type("audit_report").id, fiscal_year=2025,
                         dated_on="2026-03-15")
    assert response.status_code == 302
    first = db.session.scalar(select(DocumentVersion))
    assert (first.number, first.kind, first.filename, first.size) == (1, "pdf", "2025年度审计报告.pdf", len(PDF))

    download = client.get(f"/documents/versions/{first.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''2025" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    newer = PDF + b"% corrected\n"
    assert post_file(url, newer, "审计报告（更正）.pdf", type_id=doc_type("audit_report").id,
                     fiscal_year=2025).status_code == 302
    assert db.session.scalar(select(func.count(Document.id))) == 1
    versions = list(db.session.scalars(select(DocumentVersion).order_by(DocumentVersion.number)))
    assert [v.number for v in versions] == [1, 2]
    assert client.get(f"/documents/versions/{first.id}").data == PDF  # the superseded one stays downloadable
    html = client.get(url).get_data(as_text=True)
    assert "审计报告（更正）.pdf" in html and "历史版本（1）" in html and "第 2 版" in html
    page = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert "企业材料（1）" in page and "审计报告（更正）.pdf" in page


def test_another_year_is_another_document_and_many_ip_certificates_coexist(client, db, login_as, make_firm,
                                                                           doc_type, post_file):
    firm = make_firm()
    login_as(Role.OFFICER)
    url = f"/documents/firms/{firm.id}"
    for year in (2024, 2025):
        post_file(url, PDF, type_id=doc_type("audit_report").id, fiscal_year=year)
    for name in ("专利1.pdf", "专利2.png"):
        post_file(url, PDF if name.endswith("pdf") else PNG, name, type_id=doc_type("ip_certificate").id)
    assert db.session.scalar(select(func.count(Document.id))) == 4
    assert db.session.scalar(select(func.max(DocumentVersion.number))) == 1


def test_replacing_one_ip_certificate_keeps_the_others(client, db, login_as, make_firm, doc_type, post_file):
    firm = make_firm()
    login_as(Role.OFFICER)
    url, ip = f"/documents/firms/{firm.id}", doc_type("ip_certificate").id
    post_file(url, PDF, "专利1.pdf", type_id=ip)
    post_file(url, PDF, "专利2.pdf", type_id=ip)
    target = db.session.scalar(select(Document).order_by(Document.id))
    assert post_file(url, PNG, "专利1新.png", type_id=ip, document_id=target.id).status_code == 302
    assert db.session.scalar(select(func.count(Document.id))) == 2
    assert db.session.scalar(select(Document.latest_number).where(Document.id == target.id)) == 2


@pytest.mark.parametrize(("content", "filename", "fields", "message"), [
    (HTML, "invoice.pdf", {}, "按文件内容判断"),
    (b"", "empty.pdf", {}, "文件是空的"),
    (zip_with("evil.txt"), "book.xlsx", {}, "按文件内容判断"),
    (PDF, "a.pdf", {"fiscal_year": ""}, "需要填写所属年度"),
    (PDF, "a.pdf", {"fiscal_year": "2999"}, "所属年度"),
    (PDF, "a.pdf", {"type_id": ""}, "请选择材料类型"),
])
def test_bad_uploads_are_refused_with_a_chinese_message_and_nothing_is_stored(client, db, login_as, make_firm,
                                                                              doc_type, post_file, content,
                                                                              filename, fields, message):
    firm = make_firm()
    login_as(Role.OFFICER)
    values = {"type_id": doc_type("audit_report").id, "fiscal_year": 2025, **fields}
    response = post_file(f"/documents/firms/{firm.id}", content, filename, **values)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_versions(db) == 0


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, db, login_as, make_firm, doc_type, post_file,
                                                            app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)  # small: the test client spools larger bodies to files
    monkeypatch.setitem(app.config, "PIPELINE_MAX_UPLOAD_BYTES", 4096)
    firm = make_firm()
    login_as(Role.OFFICER)
    response = post_file(f"/documents/firms/{firm.id}", PDF + b"0" * 5000, type_id=1, fiscal_year=2025)
    assert response.status_code == 413
    assert "文件超过 4 KB，未保存" in response.get_data(as_text=True)
    assert count_versions(db) == 0


def test_a_file_of_exactly_the_limit_is_kept_and_one_byte_more_is_refused(client, db, login_as, make_firm, doc_type,
                                                                         post_file, app, monkeypatch):
    """The limit is the file's (what the form says), not the request's: the multipart framing and the form's fields
    come on top, so a 20 MB scan of exactly 20 MB is not refused by the size of its request."""
    limit = 6000
    monkeypatch.setitem(app.config, "PIPELINE_MAX_UPLOAD_BYTES", limit)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", limit + 64 * 1024)
    firm = make_firm()
    login_as(Role.OFFICER)
    exact = PDF + b"0" * (limit - len(PDF))
    assert post_file(f"/documents/firms/{firm.id}", exact, type_id=1, fiscal_year=2025).status_code == 302
    assert count_versions(db) == 1
    response = post_file(f"/documents/firms/{firm.id}", exact + b"0", type_id=1, fiscal_year=2025)
    assert response.status_code == 422 and "文件超过 6 KB，未保存" in response.get_data(as_text=True)
    assert count_versions(db) == 1


def test_firm_uploads_and_downloads_its_own_and_never_another_firms(client, db, login_as, make_firm, doc_type,
                                                                   post_file, make_user):
    mine, theirs = make_firm(name="本企业有限公司"), make_firm(name="别家企业有限公司")
    officer = make_user(Role.OFFICER)
    db.session.commit()
    login_as(user=officer)
    post_file(f"/documents/firms/{theirs.id}", PDF, "别家营业执照.pdf", type_id=doc_type("business_license").id)
    theirs_version = db.session.scalar(select(DocumentVersion))
    login_as(Role.FIRM, firm=mine)
    assert post_file("/portal/documents/", PNG, "营业执照.png",
                     type_id=doc_type("business_license").id).status_code == 302
    own = db.session.scalar(select(DocumentVersion).where(DocumentVersion.id != theirs_version.id))
    client.get("/portal/documents/")  # the flash messages of both uploads (one test client)
    html = client.get("/portal/documents/").get_data(as_text=True)
    assert "营业执照.png" in html and "别家营业执照" not in html
    assert client.get(f"/portal/documents/versions/{own.id}").data == PNG
    assert client.get(f"/portal/documents/versions/{theirs_version.id}").status_code == 404
    assert client.get(f"/documents/versions/{own.id}").status_code == 404  # the staff URL: firms get 404
    # replacing another firm's document through the portal is refused and stores nothing
    response = post_file("/portal/documents/", PDF, "x.pdf", type_id=doc_type("business_license").id,
                         document_id=theirs_version.document_id)
    assert response.status_code == 422 and count_versions(db) == 2
    # a type only the bureau uploads
    response = post_file("/portal/documents/", PDF, "x.pdf", type_id=doc_type("visit_record").id)
    assert response.status_code == 422 and count_versions(db) == 2


def test_town_limited_officer_sees_only_their_towns_documents(client, db, login_as, make_firm, make_town, doc_type,
                                                             post_file, make_user):
    near, far = make_town("南明街道"), make_town("羽林街道")
    firm_near, firm_far = make_firm(town=near), make_firm(town=far)
    login_as(Role.OFFICER)
    for firm in (firm_near, firm_far):
        post_file(f"/documents/firms/{firm.id}", PDF, type_id=doc_type("business_license").id)
    far_version = db.session.scalar(select(DocumentVersion).join(Document).where(Document.firm_id == firm_far.id))
    login_as(Role.OFFICER, towns=[near])
    assert client.get(f"/documents/firms/{firm_far.id}").status_code == 404
    assert client.get(f"/documents/versions/{far_version.id}").status_code == 404
    assert post_file(f"/documents/firms/{firm_far.id}", PDF, type_id=doc_type("business_license").id).status_code == 404
    assert client.get(f"/documents/firms/{firm_near.id}").status_code == 200


def test_leader_reads_but_cannot_upload(client, db, login_as, make_firm, doc_type, post_file):
    firm = make_firm()
    login_as(Role.OFFICER)
    post_file(f"/documents/firms/{firm.id}", PDF, type_id=doc_type("business_license").id)
    version = db.session.scalar(select(DocumentVersion))
    login_as(Role.LEADER)
    html = client.get(f"/documents/firms/{firm.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' not in html and "上传新版本" not in html
    assert client.get(f"/documents/versions/{version.id}").status_code == 200
    assert post_file(f"/documents/firms/{firm.id}", PDF, type_id=doc_type("business_license").id).status_code == 403


def test_a_missing_version_is_a_404_not_a_500(client, login_as):
    login_as(Role.OFFICER)
    assert client.get("/documents/versions/999999").status_code == 404
    assert client.get("/documents/versions/99999999999").status_code == 404


def test_visit_record_attaches_to_a_service_record_and_shows_in_the_timeline(client, db, login_as, make_firm,
                                                                             doc_type, post_file):
    from datetime import date

    firm = make_firm()
    officer = login_as(Role.OFFICER)
    service = ServiceRecord(firm_id=firm.id, served_on=date(2026, 11, 2), kind="visit", note="走访", officer_id=officer.id)
    db.session.add(service)
    db.session.commit()
    page = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    link = re.search(rf'href="([^"]*service={service.id}[^"]*)"', page)
    assert link and "上传走访记录表" in page
    form = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f'name="service_record_id" type="hidden" value="{service.id}"' in form
    assert post_file(f"/documents/firms/{firm.id}", zip_with("word/document.xml"), "走访记录表.docx",
                     type_id=doc_type("visit_record").id, service_record_id=service.id).status_code == 302
    document = db.session.scalar(select(Document))
    assert document.service_record_id == service.id
    page = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert "走访记录表 · 走访记录表.docx" in page and "上传走访记录表" not in page


def test_admin_adds_and_switches_off_a_type(client, db, login_as, make_firm):
    firm = make_firm()
    login_as(Role.ADMIN)
    response = client.post("/admin/documents/types/new", data={
        "code": "tax_record", "name": "纳税证明", "name_en": "Tax record", "needs_fiscal_year": "y",
        "active": "y", "firm_may_upload": "y", "sort_order": "90"})
    assert response.status_code == 302
    kind = db.session.scalar(select(DocumentType).where(DocumentType.code == "tax_record"))
    assert kind.needs_fiscal_year and kind.active
    assert ">纳税证明</option>" in client.get(f"/documents/firms/{firm.id}").get_data(as_text=True)
    assert client.post(f"/admin/documents/types/{kind.id}/edit", data={
        "code": "changed", "name": "纳税证明", "sort_order": "90"}).status_code == 302
    db.session.refresh(kind)
    assert (kind.code, kind.active) == ("tax_record", False)
    client.get("/admin/documents/types")  # shows the flash messages
    assert "纳税证明" not in client.get(f"/documents/firms/{firm.id}").get_data(as_text=True)
    response = client.post("/admin/documents/types/new", data={"code": "tax_record", "name": "重复"})
    assert response.status_code == 422 and "已被使用" in response.get_data(as_text=True)


def test_uploads_and_downloads_are_in_the_audit_log(client, db, login_as, make_firm, doc_type, post_file):
    from pipeline.audit.models import AuditEvent

    firm = make_firm()
    officer = login_as(Role.OFFICER)
    post_file(f"/documents/firms/{firm.id}", PDF, "营业执照.pdf", type_id=doc_type("business_license").id)
    version = db.session.scalar(select(DocumentVersion))
    client.get(f"/documents/versions/{version.id}")
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [(e.kind, e.actor_id, e.details["firm_id"], e.details["filename"]) for e in events] == [
        ("document_uploaded", officer.id, firm.id, "营业执照.pdf"), ("document_downloaded", officer.id, firm.id,
                                                                     "营业执照.pdf")]
    post_file(f"/documents/firms/{firm.id}", HTML, "x.pdf", type_id=doc_type("business_license").id)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 2  # a refused upload leaves no trace


def test_a_download_is_read_from_the_database_a_slice_at_a_time(client, db, login_as, make_firm, doc_type,
                                                                post_file, count_queries, monkeypatch):
    from pipeline.documents import queries

    monkeypatch.setattr(queries, "SLICE_BYTES", 1000)
    content = PDF + bytes(range(256)) * 20  # 5,161 bytes: six slices, the last a short one
    firm = make_firm()
    login_as(Role.OFFICER)
    assert post_file(f"/documents/firms/{firm.id}", content, type_id=doc_type("audit_report").id,
                     fiscal_year=2025).status_code == 302
    version = db.session.scalar(select(DocumentVersion))
    with count_queries() as counted:
        download = client.get(f"/documents/versions/{version.id}")
        assert download.data == content
    assert download.headers["Content-Length"] == str(len(content))
    slices = [s for s in counted.statements if "substr" in s.lower()]
    assert len(slices) == 6
    assert not [s for s in counted.statements if "content" in s and "substr" not in s.lower()]  # never whole


def test_a_missing_year_is_shown_at_the_year_field_not_at_the_file(client, db, login_as, make_firm, doc_type,
                                                                   post_file):
    firm = make_firm()
    login_as(Role.OFFICER)
    response = post_file(f"/documents/firms/{firm.id}", PDF, "a.pdf", type_id=doc_type("audit_report").id,
                         fiscal_year="")
    html = response.get_data(as_text=True)
    year_input = re.search(r'<input[^>]*name="fiscal_year"[^>]*>', html).group(0)
    file_input = re.search(r'<input[^>]*name="file"[^>]*>', html).group(0)
    assert response.status_code == 422 and "is-invalid" in year_input and "is-invalid" not in file_input
    assert count_versions(db) == 0
