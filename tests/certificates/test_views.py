"""Officer and portal pages: downloads, cross-firm isolation, re-issue and revoke forms, the dossier."""

import hashlib

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.certificates.models import Certificate, CertificateStatus
from pipeline.certificates.services import certificate_pdf
from pipeline.domain.stages import Stage
from tests.certificates.conftest import RARE_NAME
from tests.certificates.pdfcheck import chars_without_glyph, pdftotext


def test_first_download_renders_and_stores_the_pdf_later_ones_send_the_stored_bytes(client, login_as, issue, db,
                                                                                  monkeypatch):
    from pipeline.certificates import services

    certificate = issue()
    assert certificate.pdf is None and certificate.pdf_sha256 is None  # issuing does not render
    login_as(Role.OFFICER)
    first = client.get(f"/certificates/{certificate.id}/pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf" and first.data.startswith(b"%PDF")
    assert "attachment" in first.headers["Content-Disposition"]
    db.session.refresh(certificate)
    assert certificate.pdf == first.data
    assert certificate.pdf_sha256 == hashlib.sha256(first.data).hexdigest() == first.headers["ETag"].strip('"')

    monkeypatch.setattr(services, "render_pdf", lambda *args, **kwargs: b"%PDF a different rendering")
    second = client.get(f"/certificates/{certificate.id}/pdf")
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]


def test_a_rendering_failure_on_download_is_a_message_not_a_server_error(client, login_as, issue, db, monkeypatch,
                                                                         caplog):
    from pipeline.certificates import services
    from pipeline.pdf import PdfError

    def broken(*args, **kwargs):
        raise PdfError("fonts missing")

    monkeypatch.setattr(services, "render_pdf", broken)
    certificate = issue()
    login_as(Role.OFFICER)
    response = client.get(f"/certificates/{certificate.id}/pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/certificates/{certificate.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "证书生成失败，请联系管理员。" in page and "PDF 在首次下载时生成" in page
    assert "could not be rendered" in caplog.text
    db.session.refresh(certificate)
    assert certificate.pdf is None  # nothing stored: the next download tries again


def test_firm_downloads_its_own_certificate_identically(client, login_as, issue, make_firm, db):
    firm = make_firm()
    certificate = issue(firm=firm)
    login_as(Role.FIRM, firm=firm)
    page = client.get("/portal/certificates/").get_data(as_text=True)
    assert certificate.number in page
    downloads = [client.get(f"/portal/certificates/{certificate.id}/pdf").data for _ in range(2)]
    db.session.refresh(certificate)
    assert downloads[0].startswith(b"%PDF") and downloads[0] == downloads[1] == certificate.pdf


def test_a_rendering_failure_in_the_portal_is_a_message(client, login_as, issue, make_firm, monkeypatch):
    from pipeline.certificates import services
    from pipeline.pdf import PdfError

    def broken(*args, **kwargs):
        raise PdfError("fonts missing")

    monkeypatch.setattr(services, "render_pdf", broken)
    firm = make_firm()
    certificate = issue(firm=firm)
    login_as(Role.FIRM, firm=firm)
    response = client.get(f"/portal/certificates/{certificate.id}/pdf", follow_redirects=True)
    assert response.status_code == 200 and "证书生成失败，请联系管理员。" in response.get_data(as_text=True)


def test_firm_a_cannot_download_firm_b_certificate(client, login_as, issue, make_firm):
    firm_a, firm_b = make_firm(), make_firm()
    issue(firm=firm_a)
    certificate_b = issue(firm=firm_b)
    login_as(Role.FIRM, firm=firm_a)
    assert client.get(f"/portal/certificates/{certificate_b.id}/pdf").status_code == 404
    assert certificate_b.number not in client.get("/portal/certificates/").get_data(as_text=True)
    assert client.get(f"/certificates/{certificate_b.id}/pdf").status_code == 404  # staff pages: 404 for firms


def test_firm_cannot_download_its_superseded_copy(client, login_as, issue, make_firm, db):
    firm = make_firm()
    certificate = issue(firm=firm)
    certificate.status = CertificateStatus.SUPERSEDED
    db.session.commit()
    login_as(Role.FIRM, firm=firm)
    assert client.get(f"/portal/certificates/{certificate.id}/pdf").status_code == 404


def test_officer_limited_to_towns_does_not_see_other_towns(client, login_as, issue, make_firm, make_town):
    certificate = issue(firm=make_firm(town=make_town("回山镇")))
    login_as(Role.OFFICER, towns=[make_town("南明街道")])
    assert client.get(f"/certificates/{certificate.id}").status_code == 404
    assert client.get(f"/certificates/{certificate.id}/pdf").status_code == 404
    assert certificate.number not in client.get("/certificates/").get_data(as_text=True)


def test_list_filters(client, login_as, issue, make_firm, db):
    kept = issue(firm=make_firm(name="新昌鑫珺精密有限公司"))
    other = issue(firm=make_firm(name="天姥玥科技有限公司"))
    other.status = CertificateStatus.REVOKED
    db.session.commit()
    login_as(Role.LEADER)
    page = client.get("/certificates/?q=鑫珺").get_data(as_text=True)
    assert kept.number in page and other.number not in page
    page = client.get("/certificates/?status=revoked&year=2026").get_data(as_text=True)
    assert other.number in page and kept.number not in page
    assert client.get("/certificates/?status=bogus&year=x&track=y&page=-3").status_code == 200


def test_reissue_from_the_detail_page(client, login_as, issue, db):
    certificate = issue()
    certificate.firm.name = RARE_NAME
    db.session.commit()
    login_as(Role.OFFICER)
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "现名称" in page and "换发证书" in page
    response = client.post(f"/certificates/{certificate.id}/reissue", data={"reissue-reason": "企业名称变更"})
    new = db.session.scalar(select(Certificate).where(Certificate.supersedes_id == certificate.id))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/certificates/{new.id}")
    assert new.number == certificate.number and new.firm_name == RARE_NAME
    db.session.refresh(certificate)
    assert certificate.status is CertificateStatus.SUPERSEDED
    assert chars_without_glyph(certificate_pdf(new), RARE_NAME) == set()


def test_reissue_or_revoke_without_reason_changes_nothing(client, login_as, issue, db):
    certificate = issue()
    login_as(Role.OFFICER)
    for action in ("reissue", "revoke"):
        response = client.post(f"/certificates/{certificate.id}/{action}", data={f"{action}-reason": ""},
                               follow_redirects=True)
        assert response.status_code == 200 and "请填写原因" in response.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.status is CertificateStatus.VALID
    assert db.session.scalar(select(Certificate).where(Certificate.id != certificate.id)) is None


def test_revoke_then_the_page_says_so(client, login_as, issue, db):
    certificate = issue()
    login_as(Role.ADMIN)
    client.post(f"/certificates/{certificate.id}/revoke", data={"revoke-reason": "提供虚假材料"})
    db.session.refresh(certificate)
    assert certificate.status is CertificateStatus.REVOKED and certificate.revoked_reason == "提供虚假材料"
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "已撤销" in page and "提供虚假材料" in page and "撤销证书" not in page
    again = client.post(f"/certificates/{certificate.id}/revoke", data={"revoke-reason": "再次"}, follow_redirects=True)
    assert "无需撤销" in again.get_data(as_text=True)


def test_leader_may_read_but_not_change(client, login_as, issue, db):
    certificate = issue()
    login_as(Role.LEADER)
    assert client.get(f"/certificates/{certificate.id}").status_code == 200
    assert "换发证书" not in client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert client.post(f"/certificates/{certificate.id}/revoke", data={"revoke-reason": "x"}).status_code == 403
    db.session.refresh(certificate)
    assert certificate.status is CertificateStatus.VALID


def test_firm_page_offers_issue_for_a_pool_record_without_certificate(client, login_as, make_record, db):
    record = make_record()
    db.session.commit()
    login_as(Role.OFFICER)
    page = client.get(f"/firms/{record.firm_id}").get_data(as_text=True)
    assert "尚无有效的入库证书" in page and "发放入库证书" in page
    response = client.post(f"/certificates/records/{record.id}/issue")
    certificate = db.session.scalar(select(Certificate))
    assert response.status_code == 302 and certificate.number == record.pool_number
    page = client.get(f"/firms/{record.firm_id}").get_data(as_text=True)
    assert "尚无有效的入库证书" not in page and certificate.number in page


def test_issue_refuses_a_record_outside_the_pool(client, login_as, make_record, db):
    record = make_record(stage=Stage.SCREENING, number=None)
    db.session.commit()
    login_as(Role.OFFICER)
    response = client.post(f"/certificates/records/{record.id}/issue", follow_redirects=True)
    assert "不能发放入库证书" in response.get_data(as_text=True)
    assert db.session.scalar(select(Certificate)) is None


def test_dossier_pdf(client, login_as, issue, move, make_firm, db):
    from datetime import date

    from pipeline.firms.models import ServiceRecord

    firm = make_firm(name=RARE_NAME, address="新昌县沃洲镇鼓山路8号")
    certificate = issue(firm=firm)
    move(certificate.record, Stage.CULTIVATING)
    db.session.add(ServiceRecord(firm_id=firm.id, served_on=date(2026, 4, 1), kind="visit", note="走访了解研发投入"))
    db.session.commit()
    login_as(Role.LEADER)
    response = client.get(f"/certificates/firms/{firm.id}/dossier.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdftotext(response.data)
    for expected in (RARE_NAME, "企业培育档案", "基本信息", firm.credit_code, "当前培育阶段", "培育", certificate.number,
                     "走访了解研发投入", "入库 → 培育", "暂无指标数据", "无法评价"):
        assert expected in text, expected
    assert chars_without_glyph(response.data, RARE_NAME) == set()
