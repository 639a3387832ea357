"""Confirming a firm/indicator import: all or nothing, idempotent, and an edited file updates (never duplicates)."""

import io

import pytest
from sqlalchemy import func, select, text

from pipeline.auth.models import Role
from pipeline.firms.models import Firm, FirmEdit
from pipeline.indicators.models import FirmFacts, FirmYear, Origin
from tests.imports.conftest import confirm_disabled, firm_row, workbook_bytes


def snapshot(db):
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Firm.id))), db.session.scalar(select(func.count(FirmEdit.id))),
            db.session.scalar(select(func.count(FirmYear.id))), db.session.scalar(select(func.count(FirmFacts.id))),
            tuple(db.session.scalars(select(Firm.updated_at).order_by(Firm.id))))


def import_file(client, upload, data):
    _, token = upload(io.BytesIO(data.getvalue()))
    response = client.post(f"/excel/imports/{token}/confirm", follow_redirects=True)
    return token, response.get_data(as_text=True)


def test_confirm_creates_firms_with_their_figures_and_logs_them(client, db, login_as, towns, upload):
    user = login_as(Role.OFFICER)
    token, page = import_file(client, upload, workbook_bytes([firm_row(i) for i in range(1, 4)]))
    assert "导入完成" in page and "已于" in page
    firms = db.session.scalars(select(Firm).order_by(Firm.id)).all()
    assert [f.name for f in firms] == [f"导入测试企业{i}有限公司" for i in range(1, 4)]
    edits = db.session.scalars(select(FirmEdit).where(FirmEdit.field == "created")).all()
    assert len(edits) == 3 and {e.user_id for e in edits} == {user.id}
    year = db.session.scalar(select(FirmYear).where(FirmYear.firm_id == firms[0].id))
    assert (year.fiscal_year, year.employees, str(year.sales), year.origin) == (2025, 100, "8000.00", Origin.IMPORT.value)
    facts = db.session.scalar(select(FirmFacts).where(FirmFacts.firm_id == firms[0].id))
    assert (facts.ip_class_i, facts.ip_class_ii, facts.hnte_domain) == (1, 6, "新材料")
    again = client.post(f"/excel/imports/{token}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "已经导入过" in again


def test_reimporting_the_same_file_changes_nothing(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    data = workbook_bytes([firm_row(i) for i in range(1, 6)])
    import_file(client, upload, data)
    before = snapshot(db)
    _, token = upload(io.BytesIO(data.getvalue()))
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "不变 5" in page and "没有需要导入的变化" in page and confirm_disabled(page)
    client.post(f"/excel/imports/{token}/confirm")
    assert snapshot(db) == before


def test_an_edited_file_updates_the_matched_firms_and_never_duplicates(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    import_file(client, upload, workbook_bytes([firm_row(i) for i in range(1, 4)]))
    edited = [firm_row(1, 企业名称="改名后的企业有限公司"), firm_row(2, **{"销售收入（万元）": 8100.5}), firm_row(3)]
    _, token = upload(workbook_bytes(edited))
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "新建 0" in page and "更新 2" in page and "不变 1" in page and "2025 年度指标" in page
    client.post(f"/excel/imports/{token}/confirm")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Firm.id))) == 3
    assert db.session.scalar(select(Firm.name).where(Firm.credit_code == firm_row(1)["统一社会信用代码"])) == "改名后的企业有限公司"
    rename = db.session.scalar(select(FirmEdit).where(FirmEdit.field == "name"))
    assert (rename.old_value, rename.new_value) == ("导入测试企业1有限公司", "改名后的企业有限公司")
    sales = db.session.scalars(select(FirmYear.sales).join(Firm).where(
        Firm.credit_code == firm_row(2)["统一社会信用代码"])).all()
    assert [str(s) for s in sales] == ["8100.50"]


def test_one_bad_row_among_many_blocks_the_whole_file(client, db, login_as, towns, upload):
    login_as(Role.OFFICER)
    rows = [firm_row(i) for i in range(1, 301)]
    rows[157] = firm_row(158, **{"科技人员数（人）": 101})
    _, token = upload(workbook_bytes(rows))
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "新建 299" in page and "错误 1 行" in page and "<td>159</td><td>I</td>" in page and confirm_disabled(page)
    response = client.post(f"/excel/imports/{token}/confirm", follow_redirects=True)
    assert "文件中有错误" in response.get_data(as_text=True)
    assert snapshot(db)[:4] == (0, 0, 0, 0)


def test_a_refusal_while_writing_rolls_everything_back(client, db, login_as, towns, upload, monkeypatch):
    from pipeline.indicators import funnel_link

    login_as(Role.OFFICER)
    import_file(client, upload, workbook_bytes([firm_row(i) for i in range(1, 6)]))
    before = snapshot(db)
    real, calls = funnel_link.update_firm, []

    def flaky(firm, values, **kw):
        calls.append(firm.id)
        if len(calls) == 3:
            raise funnel_link.FirmError("企业名称不能为空。", "name")
        return real(firm, values, **kw)

    monkeypatch.setattr(funnel_link, "update_firm", flaky)
    edited = [firm_row(i, 企业名称=f"新名称{i}", **{"职工总数（人）": 120}) for i in range(1, 6)] + [firm_row(9)]
    _, token = upload(workbook_bytes(edited))
    page = client.post(f"/excel/imports/{token}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "第 4 行" in page and "企业名称不能为空" in page
    assert snapshot(db) == before


def test_a_change_of_scope_between_preview_and_confirm_is_refused(client, db, login_as, make_town, towns, upload):
    user = login_as(Role.OFFICER)
    _, token = upload(workbook_bytes([firm_row(1)]))
    user.towns = [make_town("羽林街道")]
    db.session.commit()
    page = client.post(f"/excel/imports/{token}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "预览后数据已发生变化" in page
    assert snapshot(db)[:4] == (0, 0, 0, 0)


@pytest.mark.parametrize("blank", [None, ""])
def test_blank_cells_never_erase_stored_values(client, db, login_as, towns, upload, blank):
    login_as(Role.OFFICER)
    import_file(client, upload, workbook_bytes([firm_row(1)]))
    _, token = upload(workbook_bytes([firm_row(1, 联系电话=blank, 行业=blank)]))
    assert "不变 1" in client.get(f"/excel/imports/{token}").get_data(as_text=True)


def _planner_knows_firm_rows(db) -> float:
    if db.engine.dialect.name == "postgresql":
        return db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'firm'"))
    stat = db.session.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'firm' LIMIT 1")) if db.session.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")) else None
    return float(stat.split()[0]) if stat else 0


def test_a_large_import_refreshes_the_planner_statistics(client, db, login_as, towns, upload, monkeypatch):
    """With the statistics of the empty table, PostgreSQL scanned every firm for each chunk of the next import."""
    monkeypatch.setattr("pipeline.imports.firm_apply.ANALYZE_AFTER_ROWS", 5)
    login_as(Role.OFFICER)
    import_file(client, upload, workbook_bytes([firm_row(i) for i in range(1, 4)]))  # below the threshold
    _, page = import_file(client, upload, workbook_bytes([firm_row(i) for i in range(10, 18)]))
    assert "导入完成" in page
    assert _planner_knows_firm_rows(db) == 11  # counted after the second import wrote its 8 firms


def test_the_import_writes_with_a_large_sqlite_page_cache_and_gives_it_back(client, db, login_as, towns, upload,
                                                                            monkeypatch):
    """The new firms' search grams go into an index at random places: with SQLite's default 2 MB of cache the
    50,000-firm import spent most of its time reading and spilling pages. The connection returns to the pool with
    its own size again."""
    from pipeline.imports import services

    if db.engine.dialect.name != "sqlite":
        pytest.skip("a page cache of SQLite's")
    login_as(Role.OFFICER)
    real, seen = services.apply_firm_plan, []

    def spying(plan, **kw):
        seen.append(db.session.connection().exec_driver_sql("PRAGMA cache_size").scalar())
        return real(plan, **kw)

    monkeypatch.setattr(services, "apply_firm_plan", spying)
    before = db.session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
    _, page = import_file(client, upload, workbook_bytes([firm_row(i) for i in range(1, 3)]))
    assert "导入完成" in page
    assert seen == [-services.IMPORT_CACHE_KIB]
    assert db.session.connection().exec_driver_sql("PRAGMA cache_size").scalar() == before
