"""The shape of a 科小 入库登记编号 (national 科技型中小企业 registration number), checked in full.

4 digits: the registration year · 6 digits: the administrative division code (GB/T 2260) of the firm's county, whose
first two digits are a province code · 4 to 8 digits or capital letters: the platform's sequence number. 14 to 18
characters in all, e.g. 2026330624A0012 (新昌县 is 330624). The year is checked by the caller against the issue date.
"""

from __future__ import annotations

import re

from pipeline.domain.text import N_

LENGTHS = range(14, 19)
# GB/T 2260 province codes: 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71 (台湾), 81–82 (港澳)
_PROVINCE = re.compile(r"1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12]")
_SEQUENCE = re.compile(r"[0-9A-Z]+")

WRONG_LENGTH = N_("入库登记编号应为 14–18 位（现为 %(length)s 位）：4 位登记年份 + 6 位行政区划代码 + 4–8 位顺序号，"
                  "如 %(year)s330624A0012")
WRONG_DIVISION = N_("第 5–10 位应为企业所在县（市、区）的 6 位行政区划代码（如新昌县 330624），“%(code)s”不是有效的代码")
WRONG_SEQUENCE = N_("第 11 位起的顺序号只能由数字和大写字母组成（如 %(year)s330624A0012）")


def registration_number_problem(number: str) -> tuple[str, dict] | None:
    """What is wrong with the shape of a 入库登记编号 after its year (a msgid and its params), or None."""
    if len(number) not in LENGTHS:
        return WRONG_LENGTH, {"length": len(number)}
    division = number[4:10]
    if not (division.isdigit() and division.isascii() and _PROVINCE.fullmatch(division[:2])):
        return WRONG_DIVISION, {"code": division}
    if not _SEQUENCE.fullmatch(number[10:]):
        return WRONG_SEQUENCE, {}
    return None
