"""The bureau's figures: 新增 (first_time), 重新认定 (repeat), 净增, valid now and the baseline, on every page."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.dashboard.figures import build_track_figures
from pipeline.dashboard.models import AnnualBaseline, AnnualTarget
from pipeline.domain.stages import Stage
from pipeline.funnel.services import move_firm
from tests.dashboard.conftest import ZONE

TODAY = date(2026, 11, 15)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=2, tzinfo=UTC)


def certify(firm, track, day: str, number: str):
    for stage in (Stage.SCREENING, Stage.POOL, Stage.CULTIVATING):
        move_firm((firm, track), stage, actor=None, now=at(day))
    return move_firm((firm, track), Stage.CERTIFIED, actor=None, now=at(day), certificate_number=number,
                     issued_on=date.fromisoformat(day)).firm_track


@pytest.fixture
def county(db, make_firm, track_by_code):
    """高企: A re-certified after expiry (repeat), B new (first_time), C valid all year, D expired on 10 January but
    never moved, E left in August. 科小: F re-registered (repeat), G new, H's 2025 number never moved to 已过期."""
    hnte, tech = track_by_code("hnte"), track_by_code("tech_sme")
    firms = {name: make_firm(name=f"{name}公司") for name in "ABCDEFGH"}
    a = certify(firms["A"], hnte, "2023-03-01", "GR202333000001")
    move_firm(a, Stage.EXPIRED, actor=None, now=at("2026-03-02"), note="到期")
    move_firm(a, Stage.CERTIFIED, actor=None, now=at("2026-06-01"), certificate_number="GR202633000001",
              issued_on=date(2026, 6, 1))
    certify(firms["B"], hnte, "2026-05-10", "GR202633000002")
    certify(firms["C"], hnte, "2024-02-01", "GR202433000003")
    certify(firms["D"], hnte, "2023-01-10", "GR202333000004")
    e = certify(firms["E"], hnte, "2025-04-01", "GR202533000005")
    move_firm(e, Stage.REMOVED, actor=None, now=at("2026-08-01"), reason_code="withdrawn")
    f = certify(firms["F"], tech, "2025-07-01", "20253306000001")
    move_firm(f, Stage.EXPIRED, actor=None, now=at("2026-01-01"), note="到期")
    move_firm(f, Stage.CERTIFIED, actor=None, now=at("2026-07-01"), certificate_number="20263306000001",
              issued_on=date(2026, 7, 1))
    certify(firms["G"], tech, "2026-06-15", "20263306000002")
    certify(firms["H"], tech, "2025-06-15", "20253306000003")
    db.session.add(AnnualTarget(track_id=hnte.id, year=2026, target=25))
    db.session.add(AnnualBaseline(track_id=tech.id, year=2026, value=96, note="2021年新增省科小"))
    db.session.commit()
    return firms


def test_figures_count_first_time_repeat_net_and_valid_by_expiry_date(county):
    figures = build_track_figures(2026, today=TODAY, zone=ZONE)
    assert figures["hnte"].as_json() == {"target": 25, "first_time": 1, "repeat": 1, "net_increase": -1,
                                         "valid_now": 3, "baseline": None}
    assert (figures["hnte"].valid_at_start, figures["hnte"].valid_at_end) == (4, 3)  # A C D E → A B C
    assert figures["tech_sme"].as_json() == {"target": None, "first_time": 1, "repeat": 1, "net_increase": 2,
                                             "valid_now": 2, "baseline": 96}


def test_a_past_year_is_counted_to_its_31_december(county):
    figures = build_track_figures(2025, today=TODAY, zone=ZONE)
    # 2025: E and the 科小 F and H were new; on 31 December A C D E (高企) and F H (科小) were valid.
    assert (figures["hnte"].first_time, figures["hnte"].repeat, figures["hnte"].valid_at_end) == (1, 0, 4)
    assert (figures["tech_sme"].first_time, figures["tech_sme"].valid_at_end, figures["tech_sme"].net_increase) == (
        2, 2, 2)


def test_targets_status_command_prints_exactly_the_keys_per_track(county, runner):
    result = runner.invoke(args=["targets", "status", "--year", "2026", "--json", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"hnte", "tech_sme"}
    for values in data.values():
        assert set(values) == {"target", "first_time", "repeat", "net_increase", "valid_now", "baseline"}
    assert data["hnte"]["first_time"] == 1 and data["tech_sme"]["baseline"] == 96
    text = runner.invoke(args=["targets", "status", "--year", "2026", "--today", TODAY.isoformat()])
    assert text.exit_code == 0 and "高新技术企业" in text.output and "-1" in text.output
    bad = runner.invoke(args=["targets", "status", "--year", "2026", "--today", "2026-13-01"])
    assert bad.exit_code == 2 and "日期格式应为 YYYY-MM-DD" in bad.output


def test_dashboard_shows_first_time_and_repeat_and_links_them(county, client, login_as, app):
    login_as(Role.LEADER)
    page = client.get("/dashboard/?period=2026").get_data(as_text=True)
    assert "2026年新增认定" in page and "本年重新认定" in page and "当前有效" in page
    assert "entry_class=repeat" in page and "entry_class=first_time" in page
    listed = client.get("/firms/?track=hnte&entered=certified&period_from=2026-01-01&period_to=2026-12-31"
                        "&entry_class=repeat").get_data(as_text=True)
    assert "A公司" in listed and "B公司" not in listed
    refused = client.get("/firms/?track=hnte&entered=certified&period_from=2026-01-01&period_to=2026-12-31"
                         "&entry_class=bogus")
    assert refused.status_code in (200, 400) and "未知的认定类别" in refused.get_data(as_text=True)


def test_admin_enters_a_baseline_and_sees_the_status_panel(county, client, login_as, db, track_by_code):
    login_as(Role.ADMIN)
    hnte = track_by_code("hnte")
    page = client.get("/admin/targets/?year=2026").get_data(as_text=True)
    assert "2026 年度完成情况" in page and "重新认定" in page and "96" in page
    response = client.post("/admin/targets/?year=2026", data={f"t_{hnte.id}_0": "25", f"b_{hnte.id}": "93",
                                                              f"bn_{hnte.id}": "2021年申报高企"})
    assert response.status_code == 302
    row = db.session.scalar(select(AnnualBaseline).where(AnnualBaseline.track_id == hnte.id))
    assert (row.value, row.note) == (93, "2021年申报高企")
    bad = client.post("/admin/targets/?year=2026", data={f"t_{hnte.id}_0": "25", f"b_{hnte.id}": "-5"})
    assert bad.status_code == 200 and "请输入 0 到 999999 之间的整数" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AnnualBaseline, row.id).value == 93


def test_a_certificate_of_an_earlier_year_entered_late_is_not_this_years_new(db, make_firm, track_by_code):
    hnte = track_by_code("hnte")
    move_firm((make_firm(), hnte), Stage.CERTIFIED, actor=None, now=at("2026-02-01"), note="系统启用前已认定",
              certificate_number="GR202433000077", issued_on=date(2024, 12, 1))
    db.session.commit()
    figures = build_track_figures(2026, today=TODAY, zone=ZONE)["hnte"]
    assert (figures.first_time, figures.valid_now) == (0, 1)
    assert build_track_figures(2024, today=TODAY, zone=ZONE)["hnte"].first_time == 0  # not in the system then
