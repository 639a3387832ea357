"""A leader's Excel page says it is read-only and offers the exports, not import cards without a form."""

from pipeline.auth.models import Role


def test_leader_sees_a_read_only_note_and_the_exports_only(client, login_as):
    login_as(Role.LEADER)
    html = client.get("/excel/").get_data(as_text=True)
    assert "本页对您只读" in html and "由科技专员或管理员完成" in html
    assert "导入企业与指标" not in html and "firm-import-title" not in html and "上传并预览" not in html
    assert "/excel/export/pool.xlsx" in html and "/excel/export/firms.xlsx" in html


def test_officer_still_sees_the_import_cards(client, login_as):
    login_as(Role.OFFICER)
    html = client.get("/excel/").get_data(as_text=True)
    assert "本页对您只读" not in html and "导入企业与指标" in html and html.count("上传并预览") == 2
