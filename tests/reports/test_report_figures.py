"""The monthly report's figures read right: changes coloured by meaning, conversions explained and never above
100 %, annex lists as aligned tables, and the 12-month trend drawn."""

from __future__ import annotations

import re

import pytest

from pipeline.domain.periods import month_period
from pipeline.reports.context import build_report_context
from pipeline.reports.pdf import render_report_html, render_report_pdf
from tests.dashboard.conftest import NOW, ZONE
from tests.reports.conftest import pdf_text

OCTOBER = month_period(2026, 10)


@pytest.fixture
def html(app, known_county):
    context = build_report_context(OCTOBER, now=NOW, zone=ZONE, authority="新昌县科学技术局", annex_limit=50)
    with app.test_request_context():
        return render_report_html(context)


def _headline_row(html: str, label: str) -> str:
    return re.search(rf"<tr><td>{label}</td>(.*?)</tr>", html, re.S)[1]


def test_changes_are_coloured_by_meaning_not_by_sign(html):
    # 高企 October against September: 2 entries (+2, good), 1 exit (+1: more exits is bad)
    assert '<span class="good">▲+2</span>' in _headline_row(html, "新入库（家）")
    exits = _headline_row(html, "退出（家）")
    assert '<span class="bad">▲+1</span>' in exits and "good" not in exits
    assert "红色表示需关注" in html


def test_conversion_has_no_ratio_above_100_percent_and_says_how_it_is_counted(html):
    section = html.split('id="conversion"', 1)[1].split('id="movements"', 1)[0]
    assert "占上一阶段" not in section and "按批次计" in section
    assert max(float(value) for value in re.findall(r"([\d.]+)%</td>", section)) <= 100


def test_annex_lists_are_aligned_tables(html):
    annex = html.split('id="annex-movements"', 1)[1]
    assert annex.count('<table class="list">') == 6  # three movement lists, three risk lists
    assert "firm-line" not in annex and "<td class=\"text\">B公司</td>" in annex


def test_the_pdf_has_the_monthly_trend_per_track(app, known_county):
    context = build_report_context(OCTOBER, now=NOW, zone=ZONE, authority="新昌县科学技术局", annex_limit=50)
    text = pdf_text(render_report_pdf(context)).replace(" ", "")
    assert text.count("近12个月走势") >= 2 and "2025.11" in text
