"""Preview of a firm/indicator import: counts, every error kind with row and column, nothing written."""

import re

import pytest
from sqlalchemy import func, select

from pipeline.auth.models import Role
from pipeline.firms.models import Firm
from pipeline.indicators.models import FirmYear
from tests.imports.conftest import HEADERS, confirm_disabled, firm_row, workbook_bytes


def counts(db):
    return db.session.scalar(select(func.count(Firm.id))), db.session.scalar(select(func.count(FirmYear.id)))


def test_preview_shows_what_would_change_and_writes_nothing(client, db, login_as, make_firm, towns, upload):
    make_firm(credit_code=firm_row(2)["统一社会信用代码"], name="旧名称有限公司")
    make_firm(credit_code=firm_row(3)["统一社会信用代码"], name=firm_row(3)["企业名称"])
    db.session.commit()
    login_as(Role.OFFICER)
    before = counts(db)
    only_firm_columns = HEADERS[:3]
    response, token = upload(workbook_bytes([firm_row(1), firm_row(2), firm_row(3)], only_firm_columns))
    assert response.status_code == 302 and token
    assert counts(db) == before
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "新建 1" in page and "更新 1" in page and "不变 1" in page and "错误 0 行" in page
    code = firm_row(2)["统一社会信用代码"]
    row = re.search(rf'<tr><td data-label="行">3</td><td data-label="统一社会信用代码">{code}</td>(.*?)</tr>', page, re.S)
    assert row and "导入测试企业2有限公司" in row.group(1)
    assert re.search(r'import-diff">企业名称：<span[^>]*>旧名称有限公司</span>.*?<strong>导入测试企业2有限公司</strong>',
                     row.group(1), re.S)  # old → new
    assert not confirm_disabled(page)


@pytest.mark.parametrize(("change", "column", "words"), [
    ({"统一社会信用代码": "91330624MA2ABCDEF0"}, "A", "校验位错误"),
    ({"统一社会信用代码": "123"}, "A", "应为 18 位"),
    ({"乡镇/街道": "火星镇"}, "C", "未知的乡镇/街道"),
    ({"行业": "造飞船"}, "D", "未知的行业"),
    ({"成立日期": "2019-02-30"}, "E", "日期不存在"),
    ({"成立日期": "去年"}, "E", "日期格式"),
    ({"销售收入（万元）": "八千"}, "J", "不是数字"),
    ({"研发费用（万元）": -5}, "L", "不能为负数"),
    ({"科技人员数（人）": 150}, "I", "多于职工总数"),
    ({"职工总数（人）": 10.5}, "H", "应为整数"),
    ({"数据年度": 2099}, "G", "年度应在"),
    ({"高企技术领域": "火箭"}, "T", "技术领域应为"),
    ({"资产总额（万元）": None}, "N", "请填写"),
])
def test_every_bad_cell_is_an_error_with_row_and_column(client, db, login_as, towns, upload, change, column, words):
    login_as(Role.OFFICER)
    rows = [firm_row(i) for i in range(1, 6)]
    rows[2] = firm_row(3, **change)
    response, token = upload(workbook_bytes(rows))
    assert response.status_code == 302
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert f"<td>4</td><td>{column}</td>" in page, page[page.find("import-errors"):][:600]
    assert words in page
    assert confirm_disabled(page)
    assert counts(db) == (0, 0)


def test_duplicate_codes_in_the_file_are_errors(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    _, token = upload(workbook_bytes([firm_row(1), firm_row(2), firm_row(1, 企业名称="重复企业")]))
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "与第 2 行重复" in page and "<td>4</td><td>A</td>" in page


def test_a_new_firm_needs_a_name_and_a_town(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    _, token = upload(workbook_bytes([firm_row(1, 企业名称=None)]))
    assert "新建时须填写企业名称" in client.get(f"/excel/imports/{token}").get_data(as_text=True)


def test_incomplete_figure_columns_refuse_the_file(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    response, token = upload(workbook_bytes([firm_row(1)], HEADERS[:9]))
    assert response.status_code == 400 and token is None
    assert "指标列不完整" in response.get_data(as_text=True)


@pytest.mark.parametrize(("content", "words"), [
    (b"this is not a spreadsheet", "文件无法读取"),
    (None, "没有找到表头"),
])
def test_unreadable_files_get_a_clear_message(client, db, login_as, upload, content, words):
    import io

    login_as(Role.OFFICER)
    data = io.BytesIO(content) if content is not None else workbook_bytes([{"x": 1}], ["随便", "什么"])
    response, _ = upload(data)
    assert response.status_code == 400 and words in response.get_data(as_text=True)


def test_only_xlsx_files_are_accepted(client, db, login_as, upload):
    login_as(Role.OFFICER)
    response, _ = upload(workbook_bytes([firm_row(1)]), filename="企业.xls")
    assert response.status_code == 400 and ".xlsx" in response.get_data(as_text=True)


def test_the_template_example_row_is_skipped(client, db, login_as, towns, upload):
    from pipeline.imports.firm_rows import EXAMPLE_CODE

    login_as(Role.OFFICER)
    _, token = upload(workbook_bytes([firm_row(1, 统一社会信用代码=EXAMPLE_CODE), firm_row(2)]))
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "已跳过模板中的示例行" in page and "新建 1" in page


def test_too_large_uploads_get_a_clear_message(make_app, db, login_as, towns):
    small = make_app(MAX_CONTENT_LENGTH=2048)
    client = small.test_client()
    user = login_as(Role.OFFICER)
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
    data = workbook_bytes([firm_row(i) for i in range(1, 40)])
    response = client.post("/excel/imports", data={"file": (data, "big.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 413 and "文件太大" in response.get_data(as_text=True)


def test_an_upload_with_errors_cannot_be_confirmed(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    _, token = upload(workbook_bytes([firm_row(1), firm_row(2), firm_row(3, **{"科技人员数（人）": 999})]))
    response = client.post(f"/excel/imports/{token}/confirm", follow_redirects=True)
    assert "文件中有错误" in response.get_data(as_text=True)
    assert counts(db) == (0, 0)


def test_previews_belong_to_their_uploader(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    _, token = upload(workbook_bytes([firm_row(1)]))
    login_as(Role.ADMIN)
    assert client.get(f"/excel/imports/{token}").status_code == 404
    assert client.post(f"/excel/imports/{token}/confirm").status_code == 404
    assert client.get("/excel/imports/not-a-token").status_code == 404


def test_progress_of_an_unknown_import_is_waiting(client, db, login_as):
    login_as(Role.OFFICER)
    assert client.get("/excel/progress/abcdefghijklmnopqrstuv").get_json()["phase"] == "waiting"
    assert client.get("/excel/progress/bad token").status_code == 404


def test_officer_cannot_import_into_other_towns(client, db, login_as, make_town, towns, upload):
    login_as(Role.OFFICER, towns=[make_town("羽林街道")])
    _, token = upload(workbook_bytes([firm_row(1)]))
    assert "您无权在该乡镇/街道新建企业" in client.get(f"/excel/imports/{token}").get_data(as_text=True)


def test_leaders_cannot_upload(client, db, login_as, towns, upload):
    login_as(Role.LEADER)
    response, _ = upload(workbook_bytes([firm_row(1)]))
    assert response.status_code == 403


def test_a_file_over_the_row_limit_is_refused_with_a_message(make_app, db, login_as, towns):
    small = make_app(PIPELINE_IMPORT_MAX_ROWS=3)
    client = small.test_client()
    user = login_as(Role.OFFICER)
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
    data = workbook_bytes([firm_row(i) for i in range(1, 6)])
    response = client.post("/excel/imports", data={"file": (data, "多.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 400 and "超过单次导入上限 3 行" in response.get_data(as_text=True)


def test_the_row_limit_holds_when_the_sheet_does_not_say_its_size(app, db, towns):
    import io

    from openpyxl import Workbook

    from pipeline.imports.columns import IMPORT_COLUMNS
    from pipeline.imports.reader import ReadError, open_sheet

    book = Workbook(write_only=True)  # write_only files carry no <dimension>
    sheet = book.create_sheet()
    sheet.append(["统一社会信用代码", "企业名称"])
    for i in range(1, 8):
        sheet.append([firm_row(i)["统一社会信用代码"], f"企业{i}"])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(ReadError, match="文件有 7 行，超过单次导入上限 5 行"):  # counted by the reader, not the file
        open_sheet(io.BytesIO(data.getvalue()), IMPORT_COLUMNS, max_rows=5)
