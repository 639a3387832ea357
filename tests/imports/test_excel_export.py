"""Exports: the template, any filtered firm list (round trip: export then re-import changes nothing), the 培育库."""

import io

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack, Track
from pipeline.indicators.services import save_facts
from tests.imports.conftest import read_xlsx
from tests.indicators.conftest import NOW

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def track(db, code):
    return db.session.scalar(select(Track).where(Track.code == code))


def put_on(db, firm, code, stage, **kw):
    db.session.add(FirmTrack(firm_id=firm.id, track_id=track(db, code).id, stage=stage, **kw))
    db.session.flush()


def test_template_has_chinese_headers_and_one_example_row(client, db, login_as):
    login_as(Role.LEADER)
    response = client.get("/excel/template.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    rows = read_xlsx(response.data)
    assert rows[0][:3] == ("统一社会信用代码", "企业名称", "乡镇/街道") and "职工总数（人）" in rows[0]
    assert len(rows) == 2 and rows[1][1].startswith("示例")


def test_the_template_itself_imports_nothing(client, db, login_as, upload, make_town):
    make_town("南明街道")
    login_as(Role.OFFICER)
    template = client.get("/excel/template.xlsx").data
    _, token = upload(io.BytesIO(template))
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "已跳过模板中的示例行" in page and "没有需要导入的变化" in page


def test_export_then_reimport_changes_nothing(client, db, login_as, make_firm, add_figures, upload):
    firms = [add_figures(make_firm(address=f"示例路 {i} 号")) for i in range(3)]
    save_facts(firms[0], {"expert_rd_management": 12, "major_incident": True, "hnte_domain": "其他"}, actor=None,
               now=NOW)
    make_firm(registered_on=None)  # no figures, no date: blank cells
    put_on(db, firms[0], "tech_sme", Stage.CULTIVATING)
    db.session.commit()
    login_as(Role.OFFICER)
    exported = client.get("/excel/export/firms.xlsx")
    assert exported.status_code == 200 and exported.mimetype == XLSX
    rows = read_xlsx(exported.data)
    assert len(rows) == 5 and "科技型中小企业阶段" in rows[0] and "培育" in rows[1:][0] + rows[1:][1] + rows[1:][2]
    _, token = upload(io.BytesIO(exported.data), filename="导出.xlsx")
    page = client.get(f"/excel/imports/{token}").get_data(as_text=True)
    assert "新建 0" in page and "更新 0" in page and "不变 4" in page and "错误 0 行" in page
    assert "没有需要导入的变化" in page


def test_export_follows_the_firm_list_filters_and_town_scope(client, db, login_as, make_firm, make_town):
    south, north = make_town("南明街道"), make_town("回山镇")
    make_firm(name="甲轴承有限公司", town=south)
    make_firm(name="乙纺机有限公司", town=south)
    make_firm(name="丙轴承有限公司", town=north)
    db.session.commit()
    login_as(Role.OFFICER)
    names = [row[1] for row in read_xlsx(client.get("/excel/export/firms.xlsx?q=轴承").data)[1:]]
    assert sorted(names) == ["丙轴承有限公司", "甲轴承有限公司"]
    names = [row[1] for row in read_xlsx(client.get(f"/excel/export/firms.xlsx?town={north.id}").data)[1:]]
    assert names == ["丙轴承有限公司"]
    login_as(Role.OFFICER, towns=[south])
    names = [row[1] for row in read_xlsx(client.get("/excel/export/firms.xlsx").data)[1:]]
    assert sorted(names) == ["乙纺机有限公司", "甲轴承有限公司"]


def test_pool_export_gives_tier_and_whether_the_firm_can_apply_this_year(client, db, login_as, make_firm,
                                                                           add_figures):
    ready = add_figures(make_firm(name="达标企业有限公司"))
    short = add_figures(make_firm(name="差距企业有限公司"), tech_staff=5, facts={"ip_class_i": 0, "ip_class_ii": 0})
    bare = make_firm(name="无数据企业有限公司")
    certified = add_figures(make_firm(name="已认定企业有限公司"))
    for firm, stage in ((ready, Stage.CULTIVATING), (short, Stage.POOL), (bare, Stage.POOL),
                        (certified, Stage.CERTIFIED)):
        put_on(db, firm, "tech_sme", stage, pool_number=f"科小-2026-{firm.id:04d}")
    db.session.commit()
    login_as(Role.LEADER)
    response = client.get("/excel/export/pool.xlsx")
    assert response.status_code == 200
    rows = read_xlsx(response.data)
    assert "培育库名单" in rows[0][0]
    header = rows[2]
    assert header[:3] == ("序号", "企业名称", "统一社会信用代码") and "培育层级" in header and "今年能否申报" in header
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[3:]}
    assert set(by_name) == {"达标企业有限公司", "差距企业有限公司", "无数据企业有限公司"}
    assert (by_name["达标企业有限公司"]["培育层级"], by_name["达标企业有限公司"]["今年能否申报"]) == ("重点培育", "能")
    assert (by_name["差距企业有限公司"]["培育层级"], by_name["差距企业有限公司"]["今年能否申报"]) == ("中长期培育", "否")
    assert by_name["差距企业有限公司"]["主要差距"]
    assert by_name["无数据企业有限公司"]["今年能否申报"].startswith("待定")
    assert rows[3][1] == "达标企业有限公司"  # 重点培育 first


def test_firm_users_cannot_export(client, db, login_as):
    login_as(Role.FIRM)
    for url in ("/excel/export/firms.xlsx", "/excel/export/pool.xlsx", "/excel/template.xlsx"):
        assert client.get(url).status_code == 404


def test_exports_never_fail_on_an_empty_county(client, db, login_as):
    login_as(Role.ADMIN)
    assert len(read_xlsx(client.get("/excel/export/firms.xlsx").data)) == 1
    assert client.get("/excel/export/pool.xlsx").status_code == 200


def test_the_firm_list_links_its_filtered_export(client, db, login_as, make_firm):
    make_firm()
    db.session.commit()
    login_as(Role.OFFICER)
    page = client.get("/firms/?q=测试&stale=1").get_data(as_text=True)
    assert "/excel/export/firms.xlsx?q=" in page and "stale=1" in page


def test_exports_evaluate_the_firms_a_chunk_at_a_time_with_the_same_rows(client, db, login_as, make_firm, add_figures,
                                                                         monkeypatch):
    from pipeline.imports import export

    firms = [add_figures(make_firm(name=f"分批企业{i}有限公司"), tech_staff=5 + i) for i in range(6)]
    firms.append(make_firm(name="分批企业无数据有限公司"))
    for firm in firms:
        put_on(db, firm, "tech_sme", Stage.POOL, pool_number=f"科小-2026-{firm.id:04d}")
    db.session.commit()
    login_as(Role.ADMIN)
    whole = [read_xlsx(client.get(url).data) for url in ("/excel/export/firms.xlsx", "/excel/export/pool.xlsx")]
    evaluated = []
    assess = export.assess_firms
    monkeypatch.setattr(export, "assess_firms", lambda ids, today: evaluated.append(list(ids)) or assess(ids, today))
    monkeypatch.setattr(export, "EXPORT_CHUNK", 3)
    chunked = [read_xlsx(client.get(url).data) for url in ("/excel/export/firms.xlsx", "/excel/export/pool.xlsx")]
    assert chunked == whole and len(whole[0]) == 8 and len(whole[1]) == 3 + 7
    assert [len(ids) for ids in evaluated] == [3, 3, 1, 3, 3, 1]  # firm list, then the 科小 pool
    assert sorted(sum(evaluated[:3], [])) == sorted(sum(evaluated[3:], [])) == sorted(f.id for f in firms)


def test_the_firm_list_is_written_a_chunk_at_a_time_while_it_is_read(client, db, login_as, make_firm, add_figures,
                                                                      monkeypatch):
    """Each chunk's rows are in the file before the next chunk is read: a province never sits in memory at once."""
    from pipeline import sheet_stream
    from pipeline.imports import export

    for i in range(7):
        add_figures(make_firm(name=f"流式企业{i}有限公司"))
    db.session.commit()
    written, seen = [], []
    row_xml, assess = sheet_stream._row_xml, export.assess_firms
    monkeypatch.setattr(sheet_stream, "_row_xml", lambda *args: written.append(1) or row_xml(*args))
    monkeypatch.setattr(export, "assess_firms", lambda ids, today: seen.append(len(written)) or assess(ids, today))
    monkeypatch.setattr(export, "EXPORT_CHUNK", 3)
    login_as(Role.ADMIN)
    rows = read_xlsx(client.get("/excel/export/firms.xlsx").data)
    assert seen == [0, 3, 6] and len(written) == 7 and len(rows) == 8
