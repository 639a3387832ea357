"""Published results lists: matched by credit code, previewed per row, confirmed in one step through move_firm."""

import io
from datetime import date

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack, StageMove
from tests.imports.conftest import confirm_disabled, workbook_bytes

HEADERS = ["序号", "统一社会信用代码", "企业名称", "登记编号", "登记日期"]


def results_file(rows):
    return workbook_bytes([dict(zip(HEADERS, [i + 1, *row], strict=True)) for i, row in enumerate(rows)], HEADERS)


def upload_list(client, upload, rows, track="tech_sme", kind="certified"):
    response, token = upload(results_file(rows), filename="2026年科小入库名单.xlsx", url="/excel/results",
                             track=track, list_kind=kind)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return token, client.get(f"/excel/imports/{token}").get_data(as_text=True)


def record(db, firm, track_by_code, code="tech_sme"):
    db.session.expire_all()
    return db.session.scalar(select(FirmTrack).where(FirmTrack.firm_id == firm.id,
                                                     FirmTrack.track_id == track_by_code(code).id))


def test_a_results_list_is_matched_row_by_row(client, db, login_as, make_firm, place_firm, track_by_code, upload):
    today = date.today()
    cultivating = make_firm(name="培育中企业有限公司")
    renamed = make_firm(name="新名称有限公司")
    screening = make_firm(name="遴选中企业有限公司")
    certified = make_firm(name="已认定企业有限公司")
    outside = make_firm(name="未入库企业有限公司")
    for firm, stage in ((cultivating, Stage.CULTIVATING), (renamed, Stage.CULTIVATING), (screening, Stage.SCREENING),
                        (certified, Stage.CERTIFIED)):
        place_firm(firm, "tech_sme", stage)
    number = record(db, certified, track_by_code).certificate_number
    from pipeline.demo import demo_credit_code

    y = today.year
    rows = [
        (cultivating.credit_code, "培育中企业有限公司", f"{y}3306240A001", today),
        (renamed.credit_code, "旧名称有限公司", f"{y}3306240A002", today),
        (screening.credit_code, "遴选中企业有限公司", f"{y}3306240A003", today.isoformat()),
        (certified.credit_code, "已认定企业有限公司", number, today),
        (outside.credit_code, "未入库企业有限公司", f"{y}3306240A005", today),
        (demo_credit_code(999999), "系统外企业", f"{y}3306240A006", today),
    ]
    login_as(Role.OFFICER)
    token, page = upload_list(client, upload, rows)
    for words in ("将移至认定 2", "将移至认定（名称不一致） 1", "已认定 1", "不在培育库（未在该培育类别） 1",
                  "不在培育库（系统中无此企业） 1"):
        assert words in page, words
    assert "确认：移动 3 家企业" in page
    assert client.post(f"/excel/imports/{token}/confirm").status_code == 302
    for firm, suffix in ((cultivating, "A001"), (renamed, "A002"), (screening, "A003")):
        r = record(db, firm, track_by_code)
        assert (r.stage, r.certificate_number, r.expires_on) == (Stage.CERTIFIED, f"{y}3306240{suffix}",
                                                                 date(y, 12, 31))
    move = db.session.scalar(select(StageMove).where(StageMove.firm_id == screening.id,
                                                     StageMove.to_stage == Stage.CERTIFIED))
    assert "2026年科小入库名单.xlsx" in move.note and move.skipped
    assert record(db, outside, track_by_code) is None


def test_a_revocation_list_moves_matched_firms_out_with_the_reason(client, db, login_as, make_firm, place_firm,
                                                                   track_by_code, upload):
    firm = make_firm(name="被撤销企业有限公司")
    gone = make_firm(name="早已出库企业有限公司")
    place_firm(firm, "tech_sme", Stage.CERTIFIED)
    place_firm(gone, "tech_sme", Stage.REMOVED)
    login_as(Role.OFFICER)
    token, page = upload_list(client, upload, [(firm.credit_code, firm.name, "", date.today()),
                                               (gone.credit_code, gone.name, None, None)], kind="revoked")
    assert "将移出（资格被撤销） 1" in page and "已出库 1" in page
    client.post(f"/excel/imports/{token}/confirm")
    r = record(db, firm, track_by_code)
    assert (r.stage, r.exit_reason, r.revoked_year) == (Stage.REMOVED, "revoked", date.today().year)


def test_bad_rows_in_a_results_list_block_the_confirmation(client, db, login_as, make_firm, place_firm, upload):
    firm = make_firm()
    place_firm(firm, "tech_sme", Stage.CULTIVATING)
    login_as(Role.OFFICER)
    _, page = upload_list(client, upload, [
        (firm.credit_code, firm.name, "2026A1", "2026-02-30"),
        ("91330624MA2ABCDEF0", "坏代码", "2026A2", date.today()),
        (firm.credit_code[:17] + "X", "x", None, date.today()),
    ])
    assert "日期不存在" in page and "校验位错误" in page and "缺少证书编号" in page and confirm_disabled(page) is False
    assert 'disabled aria-disabled="true">确认：移动' in page


def test_a_number_the_track_refuses_is_shown_and_not_moved(client, db, login_as, make_firm, place_firm,
                                                           track_by_code, upload):
    firm = make_firm()
    place_firm(firm, "hnte", Stage.CULTIVATING)
    login_as(Role.OFFICER)
    _, page = upload_list(client, upload, [(firm.credit_code, firm.name, "ABC123", date.today())], track="hnte")
    assert "无法移动" in page and "格式不正确" in page
    assert 'disabled aria-disabled="true">确认：移动 0 家企业' in page


def test_leaders_and_firms_cannot_import_results(client, db, login_as, upload):
    login_as(Role.LEADER)
    response, _ = upload(io.BytesIO(b"x"), url="/excel/results", track="tech_sme", list_kind="certified")
    assert response.status_code == 403
    login_as(Role.FIRM)
    response, _ = upload(io.BytesIO(b"x"), url="/excel/results", track="tech_sme", list_kind="certified")
    assert response.status_code == 404


def test_a_move_refused_at_confirmation_rolls_the_whole_list_back(client, db, login_as, make_firm, place_firm,
                                                                  track_by_code, upload, monkeypatch):
    from pipeline.domain.stages import TransitionRefused
    from pipeline.imports import results

    first, second = make_firm(name="甲企业"), make_firm(name="乙企业")
    for firm in (first, second):
        place_firm(firm, "tech_sme", Stage.CULTIVATING)
    login_as(Role.OFFICER)
    y = date.today().year
    token, _ = upload_list(client, upload, [(first.credit_code, "甲企业", f"{y}3306240B001", date.today()),
                                           (second.credit_code, "乙企业", f"{y}3306240B002", date.today())])
    real = results.move_firm

    def refuse_second(record, *args, **kw):
        if record.firm_id == second.id:
            raise TransitionRefused("该记录刚被其他人修改过，您的操作未执行。")
        return real(record, *args, **kw)

    monkeypatch.setattr(results, "move_firm", refuse_second)
    page = client.post(f"/excel/imports/{token}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "第 3 行" in page and "未导入任何一行" in page
    assert record(db, first, track_by_code).stage is Stage.CULTIVATING
    assert db.session.scalar(select(StageMove.id).where(StageMove.to_stage == Stage.CERTIFIED)) is None


def test_bracket_width_is_not_a_name_difference_and_other_towns_are_out_of_scope(client, db, login_as, make_firm,
                                                                                 make_town, place_firm, upload):
    south, north = make_town("南明街道"), make_town("回山镇")
    mine = make_firm(name="新昌（浙江）精工有限公司", town=south)
    theirs = make_firm(name="外乡企业有限公司", town=north)
    for firm in (mine, theirs):
        place_firm(firm, "tech_sme", Stage.CULTIVATING)
    login_as(Role.OFFICER, towns=[south])
    y = date.today().year
    _, page = upload_list(client, upload, [(mine.credit_code, "新昌(浙江)精工有限公司", f"{y}3306240C001", date.today()),
                                           (theirs.credit_code, theirs.name, f"{y}3306240C002", date.today())])
    assert "将移至认定 1" in page and "名称不一致" not in page.split("import-counts")[1].split("</div>")[0]
    assert "不在您负责的乡镇/街道 1" in page
