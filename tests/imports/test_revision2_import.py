"""The Excel import under revision 2: a loss-making firm's negative net assets, blank conversions kept unknown,
the new yes/no facts, and the template that offers them."""

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.indicators.models import FirmFacts, FirmYear, Source
from tests.imports.conftest import HEADERS, firm_row, read_xlsx, workbook_bytes


def test_the_excel_import_takes_a_loss_making_firm_and_the_new_facts(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    headers = [*HEADERS, "近三年科技成果转化（项）", "知识产权均为受让、受赠或并购取得", "核定征收（非查账征收）",
               "属于不适用研发费用加计扣除的行业（财税〔2015〕119号）"]
    rows = [firm_row(1, **{"净资产（万元）": -1500, "知识产权均为受让、受赠或并购取得": "是", "核定征收（非查账征收）": "是",
                            "属于不适用研发费用加计扣除的行业（财税〔2015〕119号）": "否"})]
    _, token = upload(workbook_bytes(rows, headers))
    assert token, "the preview should accept the row"
    page = client.post(f"/excel/imports/{token}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "导入完成" in page
    facts = db.session.scalar(select(FirmFacts))
    assert (facts.ip_acquired_only, facts.deemed_taxation, facts.excluded_industry) == (True, True, False)
    assert facts.conversions_3y is None  # left blank: unknown, not 0
    net_assets = db.session.scalar(select(FirmYear.net_assets).where(FirmYear.firm_id == facts.firm_id,
                                                                     FirmYear.source == Source.OFFICIAL.value))
    assert str(net_assets) == "-1500.00"


def test_the_import_template_has_the_new_columns(client, db, login_as):
    login_as(Role.OFFICER)
    header = read_xlsx(client.get("/excel/template.xlsx").data)[0]
    assert {"知识产权均为受让、受赠或并购取得", "核定征收（非查账征收）"} <= set(header)
