"""The 申报 checklist: the engine's conditions, the missing figures and documents, the next deadline; its pages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.checklist.services import build_checklists
from pipeline.documents.models import DocumentType
from pipeline.documents.services import Upload, upload_document
from pipeline.domain.stages import Stage
from pipeline.reminders.models import HnteBatch, ProgramYear
from tests.indicators.conftest import NOW, TODAY

PDF = b"%PDF-1.4\n%%EOF\n"


def upload(db, firm, code, year=None, *, actor):
    kind = db.session.scalar(select(DocumentType).where(DocumentType.code == code))
    upload_document(firm, Upload(f"{code}.pdf", PDF, kind.id, fiscal_year=year), actor=actor, now=NOW, today=TODAY,
                    max_bytes=10**6)


def open_texts(checklist) -> list[str]:
    return [item.text for item in checklist.open_items]


def test_a_firm_meeting_the_conditions_lacks_only_its_documents(db, make_firm, make_user, add_figures):
    firm = add_figures(make_firm(registered_on=date(2015, 1, 1)))
    hnte, tech_sme = sorted(build_checklists([firm.id], TODAY)[firm.id], key=lambda c: c.track)
    assert (hnte.deadline, hnte.days_left, tech_sme.deadline) == (date(2026, 7, 31), 31, date(2026, 8, 31))
    assert [i.done for i in hnte.items if i.kind != "document"] == [True, True, True, True]
    assert open_texts(hnte) == ["营业执照", "知识产权证书", "审计报告（2023 年度）", "审计报告（2024 年度）",
                                "审计报告（2025 年度）", "研发费用专项审计报告（2023 年度）",
                                "研发费用专项审计报告（2024 年度）", "研发费用专项审计报告（2025 年度）",
                                "高新收入专项审计报告（2025 年度）", "申报书（2026 年度）"]
    officer = make_user(Role.OFFICER)
    upload(db, firm, "business_license", actor=officer)
    upload(db, firm, "audit_report", 2025, actor=officer)
    upload(db, firm, "audit_report", 2024, actor=officer)  # not the year the 科小 window needs
    tech_sme = next(c for c in build_checklists([firm.id], TODAY)[firm.id] if c.track == "tech_sme")
    assert tech_sme.complete


def test_missing_figures_and_failed_conditions_are_items(db, make_firm, add_figures):
    firm = add_figures(make_firm(registered_on=date(2015, 1, 1)), years=(2023, 2025), facts={"ip_class_i": 0,
                                                                                            "ip_class_ii": 0})
    hnte = next(c for c in build_checklists([firm.id], TODAY)[firm.id] if c.track == "hnte")
    figures = {item.year: item.done for item in hnte.items if item.kind == "figures"}
    assert figures == {2023: True, 2024: False, 2025: True}
    conditions = [item for item in hnte.items if item.kind == "conditions"]
    assert conditions and not any(item.done for item in conditions)
    assert any("知识产权" in item.text for item in conditions)


def test_a_valid_status_before_its_renewal_window_has_no_checklist(db, make_firm, add_figures, place_firm):
    firm = add_figures(make_firm(registered_on=date(2015, 1, 1)))
    place_firm(firm, "hnte", Stage.CERTIFIED, now=NOW)
    assert [c.track for c in build_checklists([firm.id], TODAY)[firm.id]] == ["tech_sme"]


def test_a_switched_off_type_is_not_required(db, make_firm, add_figures):
    firm = add_figures(make_firm(registered_on=date(2015, 1, 1)))
    db.session.scalar(select(DocumentType).where(DocumentType.code == "application")).active = False
    hnte = next(c for c in build_checklists([firm.id], TODAY)[firm.id] if c.track == "hnte")
    assert not any("申报书" in item.text for item in hnte.items)


def test_without_an_announced_date_there_is_no_checklist(db, make_firm, add_figures):
    firm = add_figures(make_firm())
    assert build_checklists([firm.id], date(2026, 12, 1)) == {firm.id: []}


def test_many_firms_cost_the_same_statements_as_one(db, make_firm, add_figures, count_queries):
    ids = [add_figures(make_firm()).id for _ in range(12)]
    db.session.commit()
    with count_queries() as one:
        build_checklists(ids[:1], TODAY)
    with count_queries() as many:
        build_checklists(ids, TODAY)
    assert one.count == many.count


def announce_next_year(db):
    db.session.add(ProgramYear(year=2027, tech_sme_opens_on=date(2027, 6, 1), tech_sme_closes_on=date(2027, 8, 31)))
    db.session.add(HnteBatch(year=2027, due_on=date(2027, 4, 30)))
    db.session.commit()


def test_officer_sees_the_checklist_on_the_firm_page_with_links_to_do_each_item(client, db, login_as, make_firm,
                                                                                 add_figures):
    announce_next_year(db)
    firm = add_figures(make_firm(registered_on=date(2015, 1, 1)), years=(2024, 2025, 2026))
    db.session.commit()
    login_as(Role.OFFICER)
    html = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert "高新技术企业申报清单" in html and "高企申报批次截止" in html and "2027-04-30" in html
    business_license = db.session.scalar(select(DocumentType.id).where(DocumentType.code == "business_license"))
    assert f"/documents/firms/{firm.id}?type={business_license}#upload" in html
    audit = db.session.scalar(select(DocumentType.id).where(DocumentType.code == "audit_report"))
    form = client.get(f"/documents/firms/{firm.id}?type={audit}&fiscal_year=2026").get_data(as_text=True)
    assert f'<option selected value="{audit}">' in form and 'value="2026"' in form
    page = client.get(f"/checklist/firms/{firm.id}").get_data(as_text=True)
    assert "申报清单" in page and "尚缺" in page


def test_firm_sees_its_own_checklist_in_the_portal(client, db, login_as, make_firm, add_figures):
    announce_next_year(db)
    firm = add_figures(make_firm(registered_on=date(2015, 1, 1)), years=(2025,))
    db.session.commit()
    login_as(Role.FIRM, firm=firm)
    html = client.get("/portal/").get_data(as_text=True)
    assert "申报清单" in html and "/portal/documents/?type=" in html and "/portal/figures/years/2024" in html
    assert client.get("/portal/checklist/").status_code == 200
