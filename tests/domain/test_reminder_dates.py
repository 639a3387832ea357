"""When reminder rules are due, and the admin-edited {占位符} texts: plain Python, no app."""

from datetime import date

import pytest

from pipeline.domain.reminders import (
    PLACEHOLDERS,
    RuleCode,
    batch_dates,
    digest_day,
    evaluation_window_dates,
    fill_template,
    hnte_expiry_dates,
    latest_due,
    template_errors,
)


def test_latest_due_takes_the_latest_fire_date_within_the_catch_up_days():
    fire = [date(2026, 1, 1), date(2026, 3, 1), date(2026, 5, 1)]
    assert latest_due(fire, date(2026, 2, 28), 7) is None
    assert latest_due(fire, date(2026, 3, 1), 7) == date(2026, 3, 1)
    assert latest_due(fire, date(2026, 3, 8), 7) == date(2026, 3, 1)
    assert latest_due(fire, date(2026, 3, 9), 7) is None
    assert latest_due(fire, date(2026, 3, 1), 0) == date(2026, 3, 1)
    assert latest_due([date(2026, 3, 1), date(2026, 3, 4)], date(2026, 3, 5), 7) == date(2026, 3, 4)


def test_rule_dates():
    assert hnte_expiry_dates(date(2027, 6, 30)) == [date(2027, 1, 1), date(2027, 4, 1), date(2027, 5, 31)]
    assert batch_dates(date(2026, 4, 30)) == [date(2026, 3, 31), date(2026, 4, 23)]
    assert evaluation_window_dates(date(2026, 6, 1), date(2026, 8, 31)) == [date(2026, 6, 1), date(2026, 8, 17)]
    assert evaluation_window_dates(date(2024, 6, 27), None) == [date(2024, 6, 27)]
    assert evaluation_window_dates(date(2026, 6, 1), date(2026, 6, 10)) == [date(2026, 6, 1), date(2026, 6, 1)]
    assert digest_day(date(2026, 11, 8)) == date(2026, 11, 2) == digest_day(date(2026, 11, 2))


def test_every_rule_has_placeholders():
    assert set(PLACEHOLDERS) == set(RuleCode)


@pytest.mark.parametrize(("template", "error"), [
    ("{企业名称}证书到期", None),
    ("花括号 {{原样}} 显示", None),
    ("{公司}到期", "不认识的占位符 {公司}"),
    ("{企业名称.__class__}", "不认识的占位符"),
    ("{企业名称!r}", "不认识的占位符"),
    ("{}", "不认识的占位符 {}"),
    ("{企业名称", "花括号不成对"),
    ("企业名称}", "花括号不成对"),
])
def test_template_errors(template, error):
    errors = template_errors(template, PLACEHOLDERS[RuleCode.HNTE_EXPIRY])
    if error is None:
        assert errors == []
    else:
        assert len(errors) == 1 and error in str(errors[0])


def test_fill_template():
    assert fill_template("{企业名称}还有 {剩余天数} 天 {{注}}", {"企业名称": "甲公司", "剩余天数": 30}) == "甲公司还有 30 天 {注}"
