"""企业研发机构: each recognition has a level; the figures count 市级 and above; 省级+ feeds 科小's direct route."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from pipeline.dashboard.figures import build_track_figures
from pipeline.domain.stages import EntryClass, Stage, TransitionRefused
from pipeline.funnel.models import FirmTrack
from pipeline.funnel.services import move_firm
from pipeline.indicators.assessment import evaluate_firm
from pipeline.indicators.services import save_facts, save_year
from tests.dashboard.conftest import ZONE
from tests.indicators.conftest import GOOD_YEAR, NOW


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=2, tzinfo=UTC)


def recognise(firm, track, day: str, number: str, level: str | None):
    for stage in (Stage.SCREENING, Stage.POOL, Stage.CULTIVATING):
        move_firm((firm, track), stage, actor=None, now=at(day))
    return move_firm((firm, track), Stage.CERTIFIED, actor=None, now=at(day), certificate_number=number,
                     issued_on=date.fromisoformat(day), level=level)


def test_a_recognition_needs_its_level(db, make_firm, track_by_code):
    with pytest.raises(TransitionRefused, match="须选择级别") as refused:
        recognise(make_firm(), track_by_code("rd_institution"), "2026-05-01", "新科〔2026〕3号", None)
    assert refused.value.needs == frozenset({"certificate"})


def test_levels_classify_and_count_from_city_up_and_province_feeds_tech_sme(db, make_firm, track_by_code):
    track = track_by_code("rd_institution")
    county_only, city, upgraded = make_firm(), make_firm(), make_firm()
    recognise(county_only, track, "2026-03-01", "新科〔2026〕1号", "county")
    recognise(city, track, "2026-04-01", "绍市科〔2026〕5号", "city")
    first = recognise(upgraded, track, "2025-04-01", "绍市科〔2025〕9号", "city")
    record = first.firm_track
    higher = move_firm(record, Stage.CERTIFIED, actor=None, now=at("2026-06-01"), certificate_number="浙科发〔2026〕7号",
                       issued_on=date(2026, 6, 1), level="province")
    assert (first.entry_class, higher.entry_class) == (EntryClass.FIRST_TIME, EntryClass.FIRST_TIME)
    assert (record.level, higher.level) == ("province", "province")
    lower = move_firm(record, Stage.CERTIFIED, actor=None, now=at("2026-07-01"), certificate_number="绍市科〔2026〕11号",
                      issued_on=date(2026, 7, 1), level="city")
    assert lower.entry_class == EntryClass.REPEAT and record.level == "province"  # keeps the highest level
    figures = build_track_figures(2026, today=date(2026, 11, 1), zone=ZONE)["rd_institution"]
    # 市级以上 new this year: city (市级) and upgraded (省级); the 县级 centre is not counted
    assert (figures.first_time, figures.repeat, figures.valid_now) == (2, 1, 2)
    for firm in (county_only, city, upgraded):
        add_weak_figures(firm)
    direct = {firm.id: evaluate_firm(firm, date(2026, 11, 1)).profile.direct.provincial_rd_institution
              for firm in (county_only, city, upgraded)}
    assert direct == {county_only.id: False, city.id: False, upgraded.id: True}  # 省级 and above only


def test_cli_takes_the_level(runner, db, make_firm, track_by_code):
    firm = make_firm()
    track = track_by_code("rd_institution")
    for stage in (Stage.SCREENING, Stage.POOL, Stage.CULTIVATING):
        move_firm((firm, track), stage, actor=None, now=at("2026-01-05"))
    db.session.commit()
    args = ["funnel", "move", "--firm", firm.credit_code, "--track", "rd_institution", "--to", "certified",
            "--certificate-number", "新科〔2026〕2号", "--issued-on", "2026-02-01"]
    assert "须选择级别" in runner.invoke(args=args).output
    result = runner.invoke(args=[*args, "--level", "national"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(FirmTrack, track_record(db, firm, track)).level == "national"


def add_weak_figures(firm):
    """Figures too weak for the 科小 score route (few tech staff, no IP): only a direct route qualifies the firm."""
    for year in (2023, 2024, 2025):
        save_year(firm, year, {**GOOD_YEAR, "tech_staff": 5}, actor=None, now=NOW)
    save_facts(firm, {"ip_class_i": 0, "ip_class_ii": 0}, actor=None, now=NOW)


def track_record(db, firm, track) -> int:
    return db.session.scalar(select(FirmTrack.id).where(FirmTrack.firm_id == firm.id, FirmTrack.track_id == track.id))


def test_a_provincial_institution_gives_tech_sme_its_direct_route_without_retyping(db, make_firm, track_by_code):
    firm = make_firm()
    add_weak_figures(firm)
    today = date(2026, 6, 30)
    before = evaluate_firm(firm, today)
    assert not before.profile.direct.provincial_rd_institution and not before.evaluation.tech_sme.eligible
    recognise(firm, track_by_code("rd_institution"), "2026-03-01", "浙科发高〔2026〕5号", "province")
    after = evaluate_firm(firm, today)
    assert after.profile.direct.provincial_rd_institution
    assert (after.evaluation.tech_sme.eligible, after.evaluation.tech_sme.route) == (True, "direct")
