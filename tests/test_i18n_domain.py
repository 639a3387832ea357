"""Sentences the domain builds (gaps, credit-code, period and reminder-template errors) are English on English pages."""

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from pipeline.auth.models import Role
from pipeline.domain.credit_code import CreditCodeError, validate_credit_code
from pipeline.domain.periods import PeriodError, parse_period
from pipeline.domain.reminders import template_errors
from pipeline.domain.text import M_, Join, render

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "pipeline" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _domain_msgids() -> set[str]:
    ids = set()
    for path in (ROOT / "pipeline" / "domain").glob("*.py"):
        for _line, message, _comments, _context in extract_from_file(
                "python", str(path), keywords={"M_": None, "N_": None}):
            ids.add(message)
    return ids


def test_every_domain_message_has_an_english_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    ids = _domain_msgids()
    assert len(ids) > 60  # the extraction found the domain's sentences
    untranslated = sorted(i for i in ids if catalog.get(i) is None or not catalog.get(i).string)
    assert untranslated == []


def _english(text: str) -> str:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    entry = catalog.get(text)
    return entry.string if entry is not None and entry.string else text


def test_messages_render_with_translated_parameters_and_lists():
    message = M_("未填写技术领域，需属于国家重点支持的高新技术领域（%(domains)s）",
                 domains=Join((M_("电子信息"), M_("新材料"))))
    assert str(message) == "未填写技术领域，需属于国家重点支持的高新技术领域（电子信息、新材料）"
    english = render(message, _english)
    assert "Electronic information, " in english and not CJK.search(english)


@pytest.mark.parametrize("make_error", [
    lambda: validate_credit_code("91350100M000100Y4X"),
    lambda: validate_credit_code("9135010OM000100Y43"),
    lambda: parse_period("2026-13"),
    lambda: parse_period("yesterday"),
])
def test_credit_code_and_period_errors_have_english(make_error):
    with pytest.raises((CreditCodeError, PeriodError)) as caught:
        make_error()
    assert CJK.search(str(caught.value))  # Chinese for the Chinese pages and the CLI
    assert not CJK.search(render(caught.value.args[0], _english))


def test_reminder_template_errors_have_english():
    [error] = template_errors("{公司}到期", ["企业名称"])
    assert render(error, _english).startswith("Unknown placeholder {公司}")


GAP_LIST = re.compile(r'<ul class="small mb-0 gap-list">(.*?)</ul>', re.S)


def test_an_english_portal_shows_the_gaps_and_the_missing_year_in_english(client, db, login_as, make_firm, place_firm):
    from pipeline.indicators.services import save_facts, save_year
    from tests.indicators.conftest import GOOD_FACTS, GOOD_YEAR, NOW

    firm = make_firm(registered_on=date(2015, 3, 1))
    for year in (2023, 2025):  # 2024 missing: 高企 undetermined; 600 employees: over the 科小 ceiling
        save_year(firm, year, {**GOOD_YEAR, "employees": 600, "tech_staff": 120}, actor=None, now=NOW)
    save_facts(firm, GOOD_FACTS, actor=None, now=NOW)
    db.session.commit()
    login_as(Role.FIRM, firm=firm)
    client.post("/language", data={"language": "en", "next": "/portal/"})
    page = client.get("/portal/").get_data(as_text=True)
    gaps = " ".join(GAP_LIST.findall(page))
    assert "Employees 600 people, at most 500 people allowed: 100 people over" in gaps
    assert not CJK.search(gaps), gaps
    assert "Figures for 2024 are missing" in page and "Undetermined" in page



def test_several_missing_years_are_listed_in_the_page_language():
    from pipeline.domain.gaps import missing_years_text

    text = missing_years_text((2023, 2024))
    assert str(text) == "缺少 2023、2024 年度数据"
    assert render(text, _english) == "Figures for 2023, 2024 are missing"
