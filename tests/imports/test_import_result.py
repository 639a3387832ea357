"""What a firm import says: the preview warns about firms it would create incomplete, and after 确认导入 the page
is a result (what was done, links to the firms, old → new), not the preview again."""

import re

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.firms.models import Firm
from tests.imports.conftest import HEADERS, firm_row, workbook_bytes


def test_the_preview_warns_about_new_firms_without_an_officer_or_a_founding_date(client, db, login_as, towns,
                                                                                   upload):
    login_as(Role.OFFICER)
    rows = [firm_row(1), firm_row(2, 成立日期=None), firm_row(3, 成立日期=None)]
    _, token = upload(workbook_bytes(rows, HEADERS[:5]))
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "3 家没有负责专员" in page and "文件第 2、3、4 行" in page
    assert "2 家没有成立日期，导入后无法评估" in page and "文件第 3、4 行" in page
    assert "导入结果" not in page


def test_an_existing_firm_only_updated_raises_no_warning(client, db, login_as, make_firm, towns, upload):
    make_firm(credit_code=firm_row(1)["统一社会信用代码"], name="旧名称有限公司", registered_on=None)
    db.session.commit()
    login_as(Role.OFFICER)
    _, token = upload(workbook_bytes([firm_row(1, 成立日期=None)], HEADERS[:5]))
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "没有负责专员" not in page and "没有成立日期" not in page
    assert "旧名称有限公司" in page and "导入测试企业1有限公司" in page  # the preview shows old → new too


def test_after_confirming_the_page_is_a_result_with_links_and_old_to_new(client, db, login_as, make_firm, towns,
                                                                          upload):
    old = make_firm(credit_code=firm_row(1)["统一社会信用代码"], name="旧名称有限公司")
    db.session.commit()
    login_as(Role.OFFICER)
    _, token = upload(workbook_bytes([firm_row(1), firm_row(2), firm_row(3, 成立日期=None)], HEADERS[:5]))
    page = client.post(f"/excel/imports/{token}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "<title>导入结果" in page and "导入结果：企业.xlsx" in page
    assert "已新建 2 家" in page and "已更新 1 家" in page and "未变 0 家" in page
    assert "将新建的企业" not in page and "确认导入" not in page and "导入预览" not in page
    created = dict(db.session.execute(select(Firm.name, Firm.id).where(Firm.id != old.id)).all())
    for name in ("导入测试企业2有限公司", "导入测试企业3有限公司"):
        assert f'<a href="/firms/{created[name]}">{name}</a>' in page
    assert f'<a href="/firms/{old.id}">导入测试企业1有限公司</a>' in page
    change = re.search(r'<div class="import-diff">(.*?)</div>', page, re.S).group(1)
    assert "企业名称" in change and change.index("旧名称有限公司") < change.index("导入测试企业1有限公司")
    assert "1 家没有成立日期" in page  # still to be completed after the import


def test_the_result_page_is_in_english_too(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    _, token = upload(workbook_bytes([firm_row(1)], HEADERS[:5]))
    client.post(f"/excel/imports/{token}/confirm")
    client.post("/language", data={"language": "en", "next": "/excel/"})
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "导入结果" not in page and "已新建" not in page
