"""The gap list (firm page and portal) names the documents the next application still needs, linked to their upload,
and says which are on file: the same items as the 申报 checklist's."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.checklist.services import application_years, build_checklists, document_needs
from pipeline.documents.models import DocumentType
from pipeline.domain.stages import Stage
from pipeline.i18n import local_today
from pipeline.indicators.assessment import evaluate_firm
from pipeline.reminders.models import HnteBatch, ProgramYear
from tests.checklist.test_checklist import upload


@pytest.fixture
def year(db) -> int:
    """This year: the pages judge on the real calendar day."""
    return local_today().year


def type_id(db, code: str) -> int:
    return db.session.scalar(select(DocumentType.id).where(DocumentType.code == code))


def gap_list(html: str, section_class: str) -> str:
    """The gap list's section of a page (not the checklist or the documents panel, which name documents too)."""
    start = html.index(section_class)
    return html[start:html.index("</section>", start)]


@pytest.fixture
def firm_with_some_documents(db, year, make_firm, make_user, add_figures):
    """A firm applying next year for both tracks (announced), with its business licence and last year's audit report
    on file and nothing else."""
    db.session.add(ProgramYear(year=year + 1, tech_sme_opens_on=date(year + 1, 6, 1),
                               tech_sme_closes_on=date(year + 1, 8, 31)))
    db.session.add(HnteBatch(year=year + 1, due_on=date(year + 1, 4, 30)))
    firm = add_figures(make_firm(registered_on=date(2015, 1, 1)), years=(year - 3, year - 2, year - 1))
    officer = make_user(Role.OFFICER)
    upload(db, firm, "business_license", actor=officer)
    upload(db, firm, "audit_report", year, actor=officer)
    db.session.commit()
    return firm


def test_the_gap_list_names_the_same_documents_as_the_checklist(db, year, firm_with_some_documents):
    firm = firm_with_some_documents
    needs = document_needs(evaluate_firm(firm, local_today()))
    checklists = {c.track: c for c in build_checklists([firm.id], local_today())[firm.id]}
    for track in ("tech_sme", "hnte"):
        assert needs[track].year == year + 1
        assert needs[track].items == tuple(i for i in checklists[track].items if i.kind == "document")
    assert [i.text for i in needs["tech_sme"].present] == ["营业执照", f"审计报告（{year} 年度）"]
    assert needs["tech_sme"].missing == []
    assert [i.text for i in needs["hnte"].missing][:3] == ["知识产权证书", f"审计报告（{year - 2} 年度）",
                                                           f"审计报告（{year - 1} 年度）"]
    assert f"申报书（{year + 1} 年度）" in [i.text for i in needs["hnte"].missing]


def test_officer_firm_page_gap_list_links_each_missing_document_to_its_upload(client, db, year, login_as,
                                                                              firm_with_some_documents):
    firm = firm_with_some_documents
    login_as(Role.OFFICER)
    gaps = gap_list(client.get(f"/firms/{firm.id}").get_data(as_text=True), "firm-gaps")
    hnte = gaps[gaps.index('data-track="hnte"'):]
    assert f"{year + 1} 年申报尚缺材料" in hnte
    ip, audit, application = (type_id(db, code) for code in ("ip_certificate", "audit_report", "application"))
    assert f'href="/documents/firms/{firm.id}?type={ip}#upload"' in hnte
    assert f'href="/documents/firms/{firm.id}?type={audit}&amp;fiscal_year={year - 1}#upload"' in hnte
    assert f'href="/documents/firms/{firm.id}?type={application}&amp;fiscal_year={year + 1}#upload"' in hnte
    assert f"已有材料：营业执照、审计报告（{year} 年度）" in hnte
    tech_sme = gaps[gaps.index('data-track="tech_sme"'):gaps.index('data-track="hnte"')]
    assert f"{year + 1} 年申报所需材料已齐全" in tech_sme and "document-missing" not in tech_sme
    # The link leads to the upload form with the type and year chosen.
    form = client.get(f"/documents/firms/{firm.id}?type={application}&fiscal_year={year + 1}").get_data(as_text=True)
    assert f'<option selected value="{application}">' in form and f'value="{year + 1}"' in form


def test_a_leader_reads_the_missing_documents_without_upload_links(client, db, login_as, firm_with_some_documents):
    firm = firm_with_some_documents
    login_as(Role.LEADER)
    gaps = gap_list(client.get(f"/firms/{firm.id}").get_data(as_text=True), "firm-gaps")
    assert "知识产权证书" in gaps and "/documents/firms/" not in gaps


def test_the_portal_gap_list_links_to_the_firms_own_uploads(client, db, year, login_as, firm_with_some_documents):
    firm = firm_with_some_documents
    login_as(Role.FIRM, firm=firm)
    gaps = gap_list(client.get("/portal/").get_data(as_text=True), 'id="portal-gaps-title"')
    ip, rd = type_id(db, "ip_certificate"), type_id(db, "rd_audit")
    assert f'href="/portal/documents/?type={ip}#upload"' in gaps
    assert f'href="/portal/documents/?type={rd}&amp;fiscal_year={year - 1}#upload"' in gaps
    assert f"已有材料：营业执照、审计报告（{year} 年度）" in gaps
    assert len(re.findall(r'class="document-missing"', gaps)) == len(
        document_needs(evaluate_firm(firm, local_today()))["hnte"].missing)
    # Uploading one from the link's form takes it off the list.
    response = client.post(f"/portal/documents/?type={ip}", data={
        "type_id": str(ip), "file": (__import__("io").BytesIO(b"%PDF-1.4\n%%EOF\n"), "证书.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    gaps = gap_list(client.get("/portal/").get_data(as_text=True), 'id="portal-gaps-title"')
    assert f'?type={ip}#upload' not in gaps and "已有材料：营业执照、知识产权证书" in gaps


def test_a_firm_without_figures_still_sees_the_documents_to_prepare(client, db, login_as, make_firm):
    firm = make_firm(registered_on=date(2015, 1, 1))
    db.session.commit()
    login_as(Role.FIRM, firm=firm)
    gaps = gap_list(client.get("/portal/").get_data(as_text=True), 'id="portal-gaps-title"')
    assert "无法评价" in gaps and "高新技术企业" in gaps and "营业执照" in gaps and "document-missing" in gaps


def test_a_valid_status_before_its_renewal_window_needs_no_documents(db, year, make_firm, add_figures, place_firm):
    firm = add_figures(make_firm(registered_on=date(2015, 1, 1)), years=(year - 3, year - 2, year - 1))
    place_firm(firm, "hnte", Stage.CERTIFIED)
    db.session.commit()
    assert list(document_needs(evaluate_firm(firm, local_today()))) == ["tech_sme"]


def test_the_application_year_without_an_announced_deadline(db):
    for year in (2030, 2031):
        db.session.add(ProgramYear(year=year, tech_sme_opens_on=date(year, 6, 1),
                                   tech_sme_closes_on=date(year, 8, 31)))
    db.session.add(HnteBatch(year=2030, due_on=date(2030, 4, 30)))
    db.session.flush()
    # Before this year's deadlines: this year; after the 高企 batch only 高企 looks to next year.
    assert application_years(date(2030, 3, 1), {}) == {"tech_sme": 2030, "hnte": 2030}
    assert application_years(date(2030, 5, 1), {}) == {"tech_sme": 2030, "hnte": 2031}
    assert application_years(date(2030, 9, 1), {}) == {"tech_sme": 2031, "hnte": 2031}
    # An announced deadline decides.
    assert application_years(date(2030, 9, 1), {"hnte": (date(2032, 4, 30), "")})["hnte"] == 2032
