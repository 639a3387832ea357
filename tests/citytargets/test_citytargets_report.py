"""The city edition of the monthly report (issue 24): the city's totals are the sum of its counties' own reports;
`flask report monthly --authority` renders it; the monthly job sends it to the city's leaders after the counties'."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from pipeline.auth.models import Role
from pipeline.db import utcnow
from pipeline.domain.periods import month_period
from pipeline.i18n import local_zone, to_local
from pipeline.mail.models import OutboxMessage
from pipeline.reports.city import build_city_report_context
from pipeline.reports.context import build_report_context
from pipeline.reports.jobs import run_monthly_report_job
from pipeline.reports.models import CityReport, MonthlyReport
from pipeline.tenancy.scope import county_scope, use_scope
from tests.reports.conftest import pdf_text, queued

SUMMED = ("entered_pool", "certified", "exited", "in_pipeline")
COUNTED = ("year_actual", "year_repeat", "net_increase", "valid_now")


def this_month():
    local = to_local(utcnow())
    return month_period(local.year, local.month)


def next_period(month):
    return month_period(month.end.year, month.end.month)


def county_report(db, county_id, month, now):
    with use_scope(county_scope(county_id), db.session):
        return build_report_context(month, now=now, zone=local_zone(), authority="", annex_limit=1)


def set_target(db, two_counties, county_key, value):
    from pipeline.dashboard.targets.services import set_county_targets
    from pipeline.funnel.models import Track

    sme = db.session.scalar(select(Track.id).where(Track.code == "tech_sme"))
    set_county_targets(two_counties["city"].id, this_month().last.year,
                       {(two_counties[county_key]["county"].id, sme): value}, actor=two_counties["city_leader"])
    db.session.commit()


def test_city_totals_are_the_sum_of_its_counties_reports(db, two_counties):
    set_target(db, two_counties, "second", 4)
    month, now = this_month(), utcnow()
    city = build_city_report_context(two_counties["city"], month, now=now)
    counties = [county_report(db, two_counties[key]["county"].id, month, now) for key in ("first", "second")]
    assert [line.name for line in city.counties] == ["本县", "嵊州市"]
    for index, total in enumerate(city.totals):
        parts = [county.headlines[index] for county in counties]
        assert [line.headlines[index] for line in city.counties] == parts
        for name in SUMMED:
            assert getattr(total, name) == tuple(map(sum, zip(*(getattr(part, name) for part in parts), strict=True)))
        for name in COUNTED:
            assert getattr(total, name) == sum(getattr(part, name) for part in parts)
    sme = next(total for total in city.totals if total.code == "tech_sme")
    # each county has one firm certified this month and one in 入库: its own, not the other's
    assert [line.headlines[city.totals.index(sme)].certified[0] for line in city.counties] == [1, 1]
    assert sme.certified[0] == 2 and sme.year_actual == 2 and sme.in_pipeline[0] == 2
    assert sme.target == 4 and city.untargeted[city.totals.index(sme)] == 1
    assert sme.share_reached == sum(part.year_actual for part in [c.headlines[city.totals.index(sme)]
                                                                  for c in counties]) / 4
    assert city.risk_totals == tuple(
        sum(risk.total for county in counties for risk in county.stats.risks if risk.label == label)
        for label in city.risk_labels)


def test_cli_renders_the_city_edition_and_sends_it_to_the_city_leaders_only(runner, db, two_counties, tmp_path):
    city, leader = two_counties["city"], two_counties["city_leader"]
    leader.reports_monthly = True
    two_counties["second"]["users"][Role.LEADER].reports_monthly = True
    db.session.commit()
    month, out = this_month(), tmp_path / "city.pdf"
    result = runner.invoke(args=["report", "monthly", "--month", month.key, "--authority", city.code,
                                 "--out", str(out), "--send"])
    assert result.exit_code == 0, result.output
    assert "全市汇总月报" in result.output and "密送 1 位市局领导" in result.output
    text = pdf_text(out.read_bytes())
    assert "全市汇总" in text and "本县" in text and "嵊州市" in text and "全市合计" in text
    report = db.session.scalar(select(CityReport).where(CityReport.authority_id == city.id))
    assert report.month == month.key and report.pdf == out.read_bytes() and report.sent_at is not None
    (message,) = queued(db)
    assert [address for _name, address in message.bcc] == [leader.email]
    assert "全市汇总" in message.subject and message.attachments[0].filename.endswith("（全市汇总）.pdf")
    assert db.session.scalar(select(func.count()).select_from(MonthlyReport)) == 0  # no county report made


def test_cli_with_a_county_renders_that_county_report_and_bad_input_is_refused(runner, db, two_counties, fake_pdf):
    month, second = this_month(), two_counties["second"]["county"]
    result = runner.invoke(args=["report", "monthly", "--month", month.key, "--authority", str(second.id)])
    assert result.exit_code == 0, result.output
    with use_scope(county_scope(second.id), db.session):
        assert [row.county_id for row in db.session.scalars(select(MonthlyReport))] == [second.id]
    for args, message in ((["--authority", "999"], "找不到单位 999"), (["--authority", "abc"], "找不到单位 abc"),
                          (["--authority", "330600", "--month", "2026-13"], "月份应在 1 到 12 之间"),
                          (["--authority", "330600", "--month", next_period(next_period(month)).key], "尚未开始")):
        full = ["report", "monthly", "--month", month.key, *args] if "--month" not in args else ["report", "monthly", *args]
        result = runner.invoke(args=full)
        assert result.exit_code != 0 and message in result.output, result.output
        assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(CityReport)) == 0


def test_monthly_job_sends_each_city_edition_once_after_the_counties(app, db, two_counties, fake_pdf, monkeypatch):
    monkeypatch.setattr("pipeline.reports.city.render_city_report_pdf", lambda context: b"%PDF-city " +
                        ",".join(line.name for line in context.counties).encode())
    leader = two_counties["city_leader"]
    leader.reports_monthly = True
    db.session.commit()
    month = this_month()
    first_of_next = datetime.combine(next_period(month).first, datetime.min.time(), local_zone()).replace(hour=8)
    result = run_monthly_report_job(first_of_next)
    assert "绍兴市" in str(result)
    report = db.session.scalar(select(CityReport))
    assert report.month == month.key and report.sent_at is not None
    assert report.pdf == "%PDF-city 本县,嵊州市".encode()
    assert db.session.scalar(select(func.count()).select_from(MonthlyReport)) == 2  # each county's own, as before
    city_mail = [message for message in queued(db) if message.template == "city_monthly_report"]
    assert [[address for _name, address in message.bcc] for message in city_mail] == [[leader.email]]
    run_monthly_report_job(first_of_next)  # a second run sends nothing more
    assert len([message for message in queued(db) if message.template == "city_monthly_report"]) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == len(queued(db))
