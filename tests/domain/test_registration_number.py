"""The 科小 入库登记编号 is checked in full: year, 6-digit division code, sequence, length; clear Chinese messages."""

from datetime import date

import pytest

from pipeline.domain.registration_number import registration_number_problem
from pipeline.domain.stages import Stage, TransitionRefused
from tests.domain.test_stages import TECH, move, state_in


@pytest.mark.parametrize("number", ["20263306000001", "2026330624A0012", "20263306240C002", "20263306240100077",
                                    "20263306240A001234", "2026110108000123"])
def test_well_formed_numbers_pass(number):
    assert registration_number_problem(number) is None


@pytest.mark.parametrize("number, wrong", [
    ("2026330", "14–18 位（现为 7 位）"),  # the year prefix alone used to be enough
    ("2026330624A00123456", "现为 19 位"),
    ("20269906240A0012", "“990624”不是有效的代码"),  # no province 99
    ("2026ABCDEF00012", "“ABCDEF”不是有效的代码"),
    ("2026330624-00012", "只能由数字和大写字母组成"),
])
def test_malformed_numbers_are_refused_with_what_is_wrong(number, wrong):
    with pytest.raises(TransitionRefused, match="格式不正确") as refused:
        move(state_in(Stage.CULTIVATING), Stage.CERTIFIED, track=TECH, certificate_number=number,
             issued_on=date(2026, 7, 3))
    assert wrong in str(refused.value) and number in str(refused.value)


def test_the_year_is_still_checked_first():
    with pytest.raises(TransitionRefused, match="应以登记年份开头"):
        move(state_in(Stage.CULTIVATING), Stage.CERTIFIED, track=TECH, certificate_number="2025330624A0012",
             issued_on=date(2026, 7, 3))
