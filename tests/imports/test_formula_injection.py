"""Formula injection (issue 18, finding 1): a formula planted by a firm is data in every file the bureau downloads."""

import io

from openpyxl import load_workbook
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.firms.models import Firm
from tests.imports.conftest import read_xlsx


def formulas(data: bytes) -> list[str]:
    """Every cell of every sheet that a spreadsheet would run as a formula."""
    book = load_workbook(io.BytesIO(data))
    found = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")))]
    book.close()
    return found


def test_a_formula_planted_in_the_portal_is_data_in_every_export(client, db, login_as, make_firm, place_firm):
    firm = make_firm(name="=1+1 注入企业有限公司")
    place_firm(firm, "tech_sme", Stage.POOL)
    login_as(Role.FIRM, firm=firm)
    planted = '=HYPERLINK("http://evil.example","点我")'
    response = client.post("/portal/contact", data={"contact_name": planted, "contact_phone": "-13800000000",
                                                     "contact_email": "a@example.com"})
    assert response.status_code in (200, 302)
    assert db.session.scalar(select(Firm.contact_name).where(Firm.id == firm.id)) == planted
    login_as(Role.OFFICER)
    firms_xlsx = client.get("/excel/export/firms.xlsx").data
    pool_xlsx = client.get("/excel/export/pool.xlsx").data
    assert formulas(firms_xlsx) == [] and formulas(pool_xlsx) == []
    row = read_xlsx(firms_xlsx)[1]
    assert "'" + planted in row and "'-13800000000" in row and "'=1+1 注入企业有限公司" in row
    assert any("'=1+1 注入企业有限公司" in row for row in read_xlsx(pool_xlsx))


def test_the_template_has_no_formula(client, db, login_as):
    login_as(Role.OFFICER)
    assert formulas(client.get("/excel/template.xlsx").data) == []


def test_a_neutralised_export_re_imports_unchanged(client, db, login_as, make_firm, add_figures, upload):
    add_figures(make_firm(contact_name="=SUM(1,2)", address="-东路 1 号", contact_phone="+86 138 0000 0000"))
    db.session.commit()
    login_as(Role.OFFICER)
    _, token = upload(io.BytesIO(client.get("/excel/export/firms.xlsx").data), filename="导出.xlsx")
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "新建 0" in page and "更新 0" in page and "不变 1" in page and "错误 0 行" in page

