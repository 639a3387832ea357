"""Intellectual-property items: the class each kind is evaluated in, and the counts the engine reads from them.

Source: 《高新技术企业认定管理工作指引》(国科发火〔2016〕195号), 三、(二) 知识产权: "发明专利（含国防专利）、植物新品种、
国家级农作物品种、国家新药、国家一级中药保护品种、集成电路布图设计专有权等按Ⅰ类评价；实用新型专利、外观设计专利、软件著作权等
（不含商标）按Ⅱ类评价。按Ⅱ类评价的知识产权在申请高新技术企业时，仅限使用一次。" The same classes score 科小
(国科发政〔2017〕115号, RULES.md §1). Readings:
- Only Class II is limited: a Class I item may count again in a later 高企 application (e.g. the 重新认定 three
  years on). 科小 and 省科小 have no such limit: they count every item the firm owns.
- "Used" means used in an earlier *successful* 高企 application (a recognition recorded with its certificate): the
  bureau knows which items a recognised application listed; a failed application leaves its items usable.
- An item counts from the day it was granted (or acquired): 工作指引 takes a patent as valid "以企业申请认定前获得授权
  证书或授权通知书…为准", so an item granted after the evaluation date does not count yet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pipeline.domain.profile import IpCounts
from pipeline.domain.text import N_


class IpKind(StrEnum):
    INVENTION = "invention"  # 发明专利（含国防专利）
    PLANT_VARIETY = "plant_variety"  # 植物新品种
    CROP_VARIETY = "crop_variety"  # 国家级农作物品种
    NEW_DRUG = "new_drug"  # 国家新药
    TCM_VARIETY = "tcm_variety"  # 国家一级中药保护品种
    IC_LAYOUT = "ic_layout"  # 集成电路布图设计专有权
    UTILITY_MODEL = "utility_model"  # 实用新型专利
    DESIGN = "design"  # 外观设计专利
    SOFTWARE = "software"  # 软件著作权


CLASS_I_KINDS = frozenset({IpKind.INVENTION, IpKind.PLANT_VARIETY, IpKind.CROP_VARIETY, IpKind.NEW_DRUG,
                           IpKind.TCM_VARIETY, IpKind.IC_LAYOUT})
KIND_LABELS = {
    IpKind.INVENTION: N_("发明专利（含国防专利）"),
    IpKind.UTILITY_MODEL: N_("实用新型专利"),
    IpKind.DESIGN: N_("外观设计专利"),
    IpKind.SOFTWARE: N_("软件著作权"),
    IpKind.IC_LAYOUT: N_("集成电路布图设计专有权"),
    IpKind.PLANT_VARIETY: N_("植物新品种"),
    IpKind.CROP_VARIETY: N_("国家级农作物品种"),
    IpKind.NEW_DRUG: N_("国家新药"),
    IpKind.TCM_VARIETY: N_("国家一级中药保护品种"),
}


def ip_class(kind: IpKind | str) -> int:
    """Return 1 or 2: the class an item of this kind is evaluated in."""
    return 1 if IpKind(kind) in CLASS_I_KINDS else 2


@dataclass(frozen=True, slots=True)
class IpItem:
    """One item as the engine needs it: kind, the day it counts from, how it was obtained, its first 高企 use."""

    kind: IpKind
    granted_on: date
    acquired: bool = False  # obtained by transfer, gift or merger (受让、受赠、并购), not by own R&D
    used_on: date | None = None  # issue date of the first successful 高企 application that used it

    def spent_by(self, as_of: date) -> bool:
        """Whether a 高企 application on as_of can no longer count it: a Class II item used in an earlier one."""
        return self.used_on is not None and self.used_on <= as_of and ip_class(self.kind) == 2


def ip_counts(items: Iterable[IpItem], as_of: date) -> IpCounts:
    """Count the items granted by as_of; Class II items used by as_of are counted and listed as spent per year."""
    owned = [item for item in items if item.granted_on <= as_of]
    spent = [item for item in owned if item.spent_by(as_of)]
    usable = [item for item in owned if not item.spent_by(as_of)]
    class_i = sum(1 for item in owned if ip_class(item.kind) == 1)
    by_year = Counter(item.used_on.year for item in spent)
    return IpCounts(class_i=class_i, class_ii=len(owned) - class_i,
                    acquired_only=bool(usable) and all(item.acquired for item in usable),
                    spent_class_ii=tuple(sorted(by_year.items())))
