"""Bulk move: each firm checked on its own; the result lists who moved and who was refused, and why."""

import re
from datetime import timedelta

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.db import utcnow
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack
from pipeline.funnel.services import move_firm
from pipeline.i18n import local_today


def test_bulk_page_lists_the_column_and_offers_its_targets(client, login_as, make_firm, place_firm):
    login_as(Role.OFFICER)
    place_firm(make_firm(name="待入库甲有限公司"), "tech_sme", Stage.SCREENING)
    place_firm(make_firm(name="已培育乙有限公司"), "tech_sme", Stage.CULTIVATING)
    html = client.get("/funnel/bulk?track=tech_sme&stage=screening").get_data(as_text=True)
    assert "待入库甲有限公司" in html and "已培育乙有限公司" not in html
    targets = re.search(r'<select[^>]*name="to".*?</select>', html, re.S).group(0)
    assert 'value="pool"' in targets and 'value="removed"' in targets and 'value="certified"' not in targets
    assert "该阶段没有企业" in client.get("/funnel/bulk?track=tech_sme&stage=expired").get_data(as_text=True)


def test_bulk_move_with_a_mix_of_valid_and_refused(client, db, login_as, make_firm, make_town, place_firm):
    mine, other = make_town("儒岙镇"), make_town("回山镇")
    login_as(Role.OFFICER, towns=[mine])
    good = [place_firm(make_firm(name=f"合格{i}有限公司", town=mine), "tech_sme", Stage.SCREENING) for i in range(2)]
    stale_view = place_firm(make_firm(name="刚被改过有限公司", town=mine), "tech_sme", Stage.SCREENING)
    moved_meanwhile = place_firm(make_firm(name="已被移走有限公司", town=mine), "tech_sme", Stage.SCREENING)
    foreign = place_firm(make_firm(name="外镇有限公司", town=other), "tech_sme", Stage.SCREENING)
    seen = {r.id: r.version for r in (*good, stale_view, moved_meanwhile, foreign)}
    place_firm(make_firm(), "tech_sme", Stage.SCREENING)  # not ticked
    # Someone else moves one of the ticked firms to 暂缓 after the page was shown.
    move_firm(moved_meanwhile, Stage.PAUSED, actor=None, now=utcnow(), note="x",
              resume_on=local_today() + timedelta(days=9))
    db.session.commit()
    ticked = [f"{r.id}:{seen[r.id]}" for r in (*good, moved_meanwhile, foreign)] + [f"{stale_view.id}:99", "junk"]
    response = client.post("/funnel/bulk?track=tech_sme&stage=screening", data={"to": "pool", "record": ticked})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已调整 2 家" in html and "合格0有限公司" in html and "合格1有限公司" in html
    assert "未调整 3 家" in html and "已被移走有限公司" in html and "刚被改过有限公司" in html
    assert html.count("刚被其他人修改过") == 2
    assert "不在您负责的乡镇范围内" in html and "外镇有限公司" not in html
    stages = dict(db.session.execute(select(FirmTrack.id, FirmTrack.stage)).all())
    assert [stages[r.id] for r in good] == [Stage.POOL, Stage.POOL]
    assert stages[stale_view.id] is Stage.SCREENING and stages[foreign.id] is Stage.SCREENING


def test_bulk_exit_without_reason_refuses_each_firm(client, db, login_as, make_firm, place_firm):
    login_as(Role.OFFICER)
    records = [place_firm(make_firm(), "tech_sme", Stage.POOL) for _ in range(2)]
    response = client.post("/funnel/bulk?track=tech_sme&stage=pool",
                           data={"to": "removed", "record": [f"{r.id}:{r.version}" for r in records]})
    html = response.get_data(as_text=True)
    assert "已调整 0 家" in html and html.count("出库须选择原因") == 2


def test_bulk_without_a_ticked_firm_says_so(client, login_as):
    login_as(Role.OFFICER)
    response = client.post("/funnel/bulk?track=tech_sme&stage=pool", data={"to": "cultivating"})
    assert response.status_code == 302
    assert "请至少勾选一家企业" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_bulk_certification_is_not_offered(client, login_as, make_firm, place_firm):
    login_as(Role.OFFICER)
    record = place_firm(make_firm(), "tech_sme", Stage.CULTIVATING)
    response = client.post("/funnel/bulk?track=tech_sme&stage=cultivating",
                           data={"to": "certified", "record": [f"{record.id}:{record.version}"]})
    assert response.status_code == 422 and "认定须逐家填写证书编号" in response.get_data(as_text=True)


def test_when_everything_moved_nothing_is_shown_in_red(client, login_as, make_firm, place_firm):
    login_as(Role.OFFICER)
    records = [place_firm(make_firm(), "tech_sme", Stage.SCREENING) for _ in range(2)]
    html = client.post("/funnel/bulk?track=tech_sme&stage=screening",
                       data={"to": "pool", "record": [f"{r.id}:{r.version}" for r in records]}).get_data(as_text=True)
    assert "已调整 2 家" in html and "全部调整成功" in html
    assert "未调整 0 家" not in html and "text-bg-danger" not in html and "border-danger" not in html


def test_when_nothing_moved_the_moved_card_is_not_green(client, login_as, make_firm, place_firm):
    login_as(Role.OFFICER)
    record = place_firm(make_firm(), "tech_sme", Stage.POOL)
    html = client.post("/funnel/bulk?track=tech_sme&stage=pool",
                       data={"to": "removed", "record": [f"{record.id}:{record.version}"]}).get_data(as_text=True)
    assert "已调整 0 家" in html and "text-bg-success" not in html and "未调整 1 家" in html


def test_bulk_page_lists_by_name_with_town_and_pool_number_up_to_its_limit(client, login_as, make_firm, make_town,
                                                                           place_firm, monkeypatch):
    from pipeline.funnel import views

    monkeypatch.setattr(views, "BULK_LIMIT", 3)
    login_as(Role.OFFICER)
    towns = [make_town("儒岙镇"), make_town("回山镇")]
    records = [place_firm(make_firm(name=f"{name}有限公司", town=towns[i % 2]), "tech_sme", Stage.POOL)
               for i, name in enumerate(["丁", "甲", "丙", "乙"])]
    html = client.get("/funnel/bulk?track=tech_sme&stage=pool").get_data(as_text=True)
    rows = re.findall(r'value="(\d+):(\d+)".*?<label[^>]*>([^<]+)</label></td>\s*<td>([^<]+)</td>\s*'
                      r'<td[^>]*>([^<]+)</td>', html, re.S)
    by_name = sorted(records, key=lambda r: r.firm.name)[:3]  # the page's order: the firm's name, then the record
    assert rows == [(str(r.id), str(r.version), r.firm.name, r.firm.town.name, r.pool_number) for r in by_name]
    assert all(r.pool_number for r in by_name)
    assert "最多列出 3 家" in html


def test_bulk_page_keeps_to_the_officers_towns_and_its_filters(client, login_as, make_firm, make_town, make_user,
                                                              place_firm):
    mine, also_mine, other = make_town("儒岙镇"), make_town("回山镇"), make_town("镜岭镇")
    colleague = make_user(Role.OFFICER)
    login_as(Role.OFFICER, towns=[mine, also_mine])
    place_firm(make_firm(name="本镇甲有限公司", town=mine), "tech_sme", Stage.POOL)
    place_firm(make_firm(name="本镇乙有限公司", town=mine, officer=colleague), "tech_sme", Stage.POOL)
    place_firm(make_firm(name="邻镇有限公司", town=also_mine), "tech_sme", Stage.POOL)
    place_firm(make_firm(name="外镇有限公司", town=other), "tech_sme", Stage.POOL)

    def listed(query: str) -> list[str]:
        html = client.get(f"/funnel/bulk?track=tech_sme&stage=pool{query}").get_data(as_text=True)
        return re.findall(r'<label for="rec-\d+">([^<]+)</label>', html)

    assert listed("") == sorted(["本镇甲有限公司", "本镇乙有限公司", "邻镇有限公司"])
    assert listed(f"&town={mine.id}") == sorted(["本镇甲有限公司", "本镇乙有限公司"])
    assert listed(f"&town={mine.id}&officer={colleague.id}") == ["本镇乙有限公司"]
    assert listed(f"&town={other.id}") == []
