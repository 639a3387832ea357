"""A firm's IP items: entered by the officer, ticked for the 高企 recognition that used them, counted by the engine
(only the unused Class II for 高企), shown on the firm page and the portal, and never to another firm."""

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.domain.profile import IpCounts
from pipeline.domain.stages import Stage
from pipeline.funnel.services import move_firm
from pipeline.indicators.ip_items import IpItemError, save_ip_item, set_recognition_items
from pipeline.indicators.models import IpItem, IpItemUse
from pipeline.indicators.presenters import verdicts
from pipeline.indicators.services import evaluate_firm
from tests.funnel.test_expiry import at, certified
from tests.indicators.conftest import NOW

IN_2026 = date(2026, 6, 30)  # the expiry year of a certificate of 2023-12-08: the firm applies again


def add_item(firm, kind="utility_model", number="ZL202120000001.1", granted_on=date(2021, 5, 1), **kw):
    values = {"kind": kind, "number": number, "title": kw.pop("title", f"一种轴承 {number}"),
              "granted_on": granted_on, **kw}
    return save_ip_item(firm, values, actor=None, now=NOW, today=IN_2026)


@pytest.fixture
def hnte_firm(db, make_firm, add_figures, track_by_code):
    """A 高企 recognised on 2023-12-08 whose facts say 1 Class I and 6 Class II (the counts before items)."""
    firm = add_figures(make_firm(name="天姥轴承有限公司", registered_on=date(2015, 3, 1)))
    certified(firm, track_by_code("hnte"), "2023-12-08", "GR202333000001")
    db.session.commit()
    return firm


def recognition_of(db, firm):
    from pipeline.funnel.models import StageMove

    return db.session.scalars(select(StageMove).where(StageMove.firm_id == firm.id,
                                                      StageMove.to_stage == Stage.CERTIFIED)
                              .order_by(StageMove.id)).all()


def test_without_items_the_counts_of_the_facts_are_evaluated_as_before(db, hnte_firm):
    assert evaluate_firm(hnte_firm, IN_2026).profile.ip == IpCounts(class_i=1, class_ii=6)


def test_officer_enters_items_ticks_the_recognition_and_the_engine_counts_only_the_unused(
        client, db, login_as, hnte_firm):
    login_as(Role.OFFICER)
    for n in range(1, 5):
        response = client.post(f"/indicators/firms/{hnte_firm.id}/ip/new", data={
            "kind": "utility_model", "number": f"ZL20212000000{n}.1", "title": f"一种轴承密封结构{n}",
            "granted_on": "2021-05-01"})
        assert response.status_code == 302
    items = db.session.scalars(select(IpItem).where(IpItem.firm_id == hnte_firm.id).order_by(IpItem.id)).all()
    [move] = recognition_of(db, hnte_firm)
    response = client.post(f"/indicators/firms/{hnte_firm.id}/ip/recognitions/{move.id}",
                           data={"item": [items[0].id, items[1].id]})
    assert response.status_code == 302
    assert {u.ip_item_id for u in db.session.scalars(select(IpItemUse))} == {items[0].id, items[1].id}

    # The items win over the facts' counts (1 Class I, 6 Class II): 4 Class II, 2 of them spent in 2023.
    ip = evaluate_firm(hnte_firm, IN_2026).profile.ip
    assert ip == IpCounts(class_i=0, class_ii=4, spent_class_ii=((2023, 2),))
    assert ip.for_hnte().class_ii == 2

    page = client.get(f"/indicators/firms/{hnte_firm.id}/ip").get_data(as_text=True)
    assert page.count("已用于 2023 年高企认定") == 2 and page.count("ip-unused") == 2
    assert "其中 2 件 II 类已用于通过认定的高企申报" in page
    firm_page = client.get(f"/firms/{hnte_firm.id}").get_data(as_text=True)
    assert "已用于 2023 年高企认定" in firm_page and "一种轴承密封结构3" in firm_page


def test_reuse_is_the_gap_of_a_firm_applying_again(app, db, hnte_firm):
    first, second = add_item(hnte_firm, number="ZL1.1"), add_item(hnte_firm, number="ZL2.2", kind="software")
    [move] = recognition_of(db, hnte_firm)
    set_recognition_items(hnte_firm, move, [first.id, second.id], actor=None, now=NOW)
    assessment = evaluate_firm(hnte_firm, IN_2026)
    assert "core_ip" in assessment.evaluation.hnte.failed
    with app.test_request_context(), force_locale("zh"):
        hnte = next(v for v in verdicts(assessment) if v.track == "hnte")
    assert hnte.renewal and any("2 件 II 类知识产权已用于 2023 年高企认定，不能再次使用" in g for g in hnte.gaps)
    assert assessment.evaluation.tech_sme.points.ip == 12  # 科小 still counts both


def test_a_class_ii_item_serves_one_recognition_a_class_i_several(db, hnte_firm, track_by_code):
    model = add_item(hnte_firm, number="ZL3.3")
    invention = add_item(hnte_firm, kind="invention", number="ZL2020100001.1")
    record = hnte_firm.tracks[0]
    move_firm(record, Stage.RECERT_APPLYING, actor=None, now=at("2026-04-20"))
    move_firm(record, Stage.CERTIFIED, actor=None, now=at("2026-10-10"), certificate_number="GR202633000001",
              issued_on=date(2026, 10, 10))
    first, again = recognition_of(db, hnte_firm)
    set_recognition_items(hnte_firm, first, [model.id, invention.id], actor=None, now=NOW)
    with pytest.raises(IpItemError, match="已用于 2023 年高企认定：II 类知识产权仅限使用一次"):
        set_recognition_items(hnte_firm, again, [model.id, invention.id], actor=None, now=NOW)
    set_recognition_items(hnte_firm, again, [invention.id], actor=None, now=NOW)
    assert sorted((u.ip_item_id, u.stage_move_id) for u in db.session.scalars(select(IpItemUse))) == sorted(
        [(model.id, first.id), (invention.id, first.id), (invention.id, again.id)])


def test_refused_uses_and_edits_change_nothing(client, db, login_as, hnte_firm):
    late = add_item(hnte_firm, number="ZL4.4", granted_on=date(2024, 2, 1))
    used = add_item(hnte_firm, number="ZL5.5")
    [move] = recognition_of(db, hnte_firm)
    set_recognition_items(hnte_firm, move, [used.id], actor=None, now=NOW)
    db.session.commit()
    login_as(Role.OFFICER)
    response = client.post(f"/indicators/firms/{hnte_firm.id}/ip/recognitions/{move.id}",
                           data={"item": [late.id, used.id]}, follow_redirects=True)
    assert "授权于 2024-02-01，晚于本次认定的发证日期 2023-12-08" in response.get_data(as_text=True)
    assert [u.ip_item_id for u in db.session.scalars(select(IpItemUse))] == [used.id]
    response = client.post(f"/indicators/firms/{hnte_firm.id}/ip/{used.id}/delete", follow_redirects=True)
    assert "不能删除" in response.get_data(as_text=True) and db.session.get(IpItem, used.id) is not None
    page = client.post(f"/indicators/firms/{hnte_firm.id}/ip/new", data={
        "kind": "utility_model", "number": "ZL5.5", "title": "重复", "granted_on": "2021-01-01"}).get_data(as_text=True)
    assert "该企业已登记编号为 ZL5.5 的实用新型专利" in page
    page = client.post(f"/indicators/firms/{hnte_firm.id}/ip/{used.id}", data={
        "kind": "utility_model", "number": "ZL5.5", "title": "改晚", "granted_on": "2024-01-01"}).get_data(as_text=True)
    assert "授权日期不能晚于该日期" in page and db.session.get(IpItem, used.id).granted_on == date(2021, 5, 1)
    assert db.session.scalar(select(IpItem.id).where(IpItem.title == "重复")) is None
    late_id = late.id
    client.post(f"/indicators/firms/{hnte_firm.id}/ip/{late_id}/delete")
    assert db.session.get(IpItem, late_id) is None


def test_the_portal_shows_the_firms_own_items_with_their_use_and_never_another_firms(
        client, db, login_as, hnte_firm, make_firm):
    own = add_item(hnte_firm, number="ZL6.6", title="自有轴承专利")
    [move] = recognition_of(db, hnte_firm)
    set_recognition_items(hnte_firm, move, [own.id], actor=None, now=NOW)
    other = make_firm(name="别家企业")
    add_item(other, number="ZL7.7", title="别家的专利")
    db.session.commit()
    login_as(Role.FIRM, firm=hnte_firm)
    page = client.get("/portal/figures/").get_data(as_text=True)
    assert "自有轴承专利" in page and "已用于 2023 年高企认定" in page
    assert "别家的专利" not in page and "ZL7.7" not in page


def test_staff_urls_of_another_firms_item_or_recognition_are_404(client, db, login_as, hnte_firm, make_firm,
                                                                make_town):
    item = add_item(hnte_firm, number="ZL8.8")
    [move] = recognition_of(db, hnte_firm)
    other = make_firm(name="别家企业")
    db.session.commit()
    login_as(Role.OFFICER)
    assert client.get(f"/indicators/firms/{other.id}/ip/{item.id}").status_code == 404
    assert client.post(f"/indicators/firms/{other.id}/ip/{item.id}/delete").status_code == 404
    assert client.post(f"/indicators/firms/{other.id}/ip/recognitions/{move.id}",
                       data={"item": [item.id]}).status_code == 404
    assert db.session.scalar(select(IpItemUse.id)) is None and db.session.get(IpItem, item.id) is not None
    # An officer limited to another town does not see the firm's items at all.
    login_as(Role.OFFICER, towns=[make_town("回山镇", sort_order=1)])
    assert client.get(f"/indicators/firms/{hnte_firm.id}/ip").status_code == 404


def test_recording_a_hnte_recognition_asks_which_items_its_application_used(client, db, login_as, make_firm,
                                                                             add_figures, place_firm):
    firm = add_figures(make_firm(name="待认定企业", registered_on=date(2015, 3, 1)))
    place_firm(firm, "hnte", Stage.CULTIVATING)
    item = add_item(firm, number="ZL9.9")
    bare = add_figures(make_firm(name="无明细企业", registered_on=date(2015, 3, 1)))
    place_firm(bare, "hnte", Stage.CULTIVATING)
    db.session.commit()
    login_as(Role.OFFICER)
    details = {"to": "certified", "version": firm.tracks[0].version, "certificate_number": "GR202633000077",
               "issued_on": "2026-01-05", "next": "/funnel/recert"}
    response = client.post(f"/funnel/firms/{firm.id}/hnte/move", data=details)
    [move] = recognition_of(db, firm)
    assert response.headers["Location"].endswith(f"/indicators/firms/{firm.id}/ip?next=/funnel/recert#use-{move.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "请勾选本次高企认定申报使用的知识产权" in page and 'name="next" value="/funnel/recert"' in page
    response = client.post(f"/indicators/firms/{firm.id}/ip/recognitions/{move.id}",
                           data={"item": [item.id], "next": "/funnel/recert"})
    assert response.headers["Location"].endswith("/funnel/recert")
    assert [u.stage_move_id for u in db.session.scalars(select(IpItemUse))] == [move.id]
    # Without IP items nothing is asked: back where the officer came from.
    details.update(version=bare.tracks[0].version, certificate_number="GR202633000078")
    assert client.post(f"/funnel/firms/{bare.id}/hnte/move", data=details).headers["Location"].endswith(
        "/funnel/recert")


def test_pages_and_the_dossier_say_the_items_win_over_the_counts(client, db, login_as, hnte_firm):
    from pipeline.certificates.dossier import dossier_indicators

    first, _unused = add_item(hnte_firm, number="ZL10.1"), add_item(hnte_firm, number="ZL10.2")
    [move] = recognition_of(db, hnte_firm)
    set_recognition_items(hnte_firm, move, [first.id], actor=None, now=NOW)
    db.session.commit()
    lines = {line.label: line.value for line in dossier_indicators(hnte_firm)}
    assert lines["知识产权（按明细）"] == "I 类 0 件，II 类 2 件，其中 1 件已用于高企认定、不能再次使用"
    assert "II 类知识产权（件）" not in lines and lines["高企技术领域"] == "新材料"
    login_as(Role.OFFICER)
    assert "评价按明细计算" in client.get(f"/indicators/firms/{hnte_firm.id}/facts").get_data(as_text=True)
    assert "评价按知识产权明细计算：I 类 0 件，II 类 2 件" in client.get(
        f"/indicators/firms/{hnte_firm.id}").get_data(as_text=True)
    login_as(Role.FIRM, firm=hnte_firm)
    assert "评价按明细计算" in client.get("/portal/figures/facts").get_data(as_text=True)


def test_an_item_cannot_be_granted_in_the_future_nor_become_class_ii_after_two_uses(db, hnte_firm):
    with pytest.raises(IpItemError, match="不能晚于今天") as refused:
        add_item(hnte_firm, granted_on=date(2026, 7, 1))
    assert refused.value.field == "granted_on" and db.session.scalar(select(IpItem.id)) is None
    invention = add_item(hnte_firm, kind="invention", number="ZL2019100001.1")
    record = hnte_firm.tracks[0]
    move_firm(record, Stage.RECERT_APPLYING, actor=None, now=at("2026-04-20"))
    move_firm(record, Stage.CERTIFIED, actor=None, now=at("2026-05-10"), certificate_number="GR202633000002",
              issued_on=date(2026, 5, 10))
    for move in recognition_of(db, hnte_firm):
        set_recognition_items(hnte_firm, move, [invention.id], actor=None, now=NOW)
    values = {"kind": "utility_model", "number": invention.number, "title": invention.title,
              "granted_on": invention.granted_on}
    with pytest.raises(IpItemError, match="不能改为 II 类"):
        save_ip_item(hnte_firm, values, item=invention, actor=None, now=NOW, today=IN_2026)
    assert db.session.get(IpItem, invention.id).kind == "invention"
