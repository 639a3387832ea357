"""Formula injection (issue 18, finding 1): every cell the product writes is data, never a formula."""

from datetime import date

import pytest

from pipeline.sheet_cells import neutralise, restore, sheet_title

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)",
           "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_an_apostrophe_and_comes_back_on_restore(text):
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("value", [-5, -2.5, 0, 12, date(2020, 1, 2), True, None, "普通文本", "a=b", "'引号"])
def test_numbers_dates_and_plain_text_are_written_as_they_are(value):
    assert neutralise(value) == value
    assert isinstance(value, str) is False or restore(value) == value


def test_sheet_title_is_one_excel_accepts():
    assert sheet_title("科小/高企[2026]:*?") == "科小_高企_2026____"
    assert len(sheet_title("长" * 40)) == 31 and sheet_title("") == "Sheet"

