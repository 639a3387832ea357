"""The dashboard's numbers open the firm list filtered by history: the list must honour those arguments."""

from datetime import timedelta

from pipeline.auth.models import Role
from pipeline.dashboard.links import entered_args
from pipeline.db import utcnow
from pipeline.domain.stages import Stage
from pipeline.i18n import to_local


def test_dashboard_link_filters_the_firm_list_by_moves_in_the_period(client, login_as, make_firm, place_firm, db):
    login_as(Role.OFFICER)
    now = utcnow()
    recent = make_firm(name="近期入库有限公司")
    old = make_firm(name="早年入库有限公司")
    place_firm(recent, "tech_sme", Stage.POOL, now=now)
    place_firm(old, "tech_sme", Stage.POOL, now=now - timedelta(days=400))
    today = to_local(now).date()
    args = entered_args("tech_sme", Stage.POOL.value, today - timedelta(days=30), today)
    page = client.get("/firms/", query_string=args).get_data(as_text=True)
    assert "近期入库有限公司" in page and "早年入库有限公司" not in page
    assert "正在按培育看板的数字筛选" in page


def test_bad_history_arguments_are_a_message_not_an_error(client, login_as, make_firm, place_firm):
    login_as(Role.OFFICER)
    place_firm(make_firm(name="任意企业有限公司"), "tech_sme", Stage.POOL)
    response = client.get("/firms/", query_string={"track": "tech_sme", "entered": "pool", "period_from": "2026-02-30",
                                                   "period_to": "2026-03-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "日期格式应为" in page and "任意企业有限公司" in page
