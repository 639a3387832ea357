"""The columns of the firm/indicator workbook: one table used by the template, the import and the export.

Headers are Chinese in every language: a file filled in under the English UI imports the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.indicators.values import FACT_LABELS, YEAR_FIELDS, YEAR_LABELS


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    group: str  # 'key' | 'firm' | 'year' | 'facts' | 'info' (export only, ignored on import)
    aliases: tuple[str, ...] = ()
    width: int = 14
    max_length: int | None = None


FIRM_COLUMNS = (
    Column("credit_code", "统一社会信用代码", "key", ("信用代码", "社会信用代码"), 22),
    Column("name", "企业名称", "firm", ("名称", "单位名称", "企业名"), 34, 200),
    Column("town", "乡镇/街道", "firm", ("乡镇", "街道", "乡镇街道", "所属乡镇", "所在乡镇"), 12),
    Column("industry", "行业", "firm", ("所属行业", "产业"), 12),
    Column("registered_on", "成立日期", "firm", ("注册日期", "成立时间", "注册时间"), 12),
    Column("address", "地址", "firm", ("注册地址", "企业地址", "经营地址"), 30, 300),
    Column("legal_rep", "法定代表人", "firm", ("法人代表", "法人"), 10, 50),
    Column("contact_name", "联系人", "firm", (), 10, 50),
    Column("contact_phone", "联系电话", "firm", ("电话", "手机", "联系方式"), 14, 30),
    Column("contact_email", "联系邮箱", "firm", ("邮箱", "电子邮箱", "email"), 22, 254),
)
YEAR_COLUMN = Column("fiscal_year", "数据年度", "year", ("年度", "指标年度", "会计年度"), 10)
FIGURE_COLUMNS = tuple(Column(name, YEAR_LABELS[name], "year", width=14) for name in YEAR_FIELDS)
FACT_COLUMNS = tuple(Column(name, label, "facts", width=12) for name, label in FACT_LABELS.items())
IMPORT_COLUMNS = (*FIRM_COLUMNS, YEAR_COLUMN, *FIGURE_COLUMNS, *FACT_COLUMNS)

RESULT_COLUMNS = (
    Column("credit_code", "统一社会信用代码", "key", ("信用代码", "社会信用代码"), 22),
    Column("name", "企业名称", "firm", ("名称", "单位名称"), 34),
    Column("number", "证书编号", "result", ("登记编号", "入库登记编号", "编号", "证书号", "入库编号"), 22),
    Column("date", "日期", "result", ("发证日期", "认定日期", "登记日期", "入库日期", "撤销日期", "公示日期"), 12),
    Column("note", "备注", "result", ("撤销原因", "原因", "说明"), 20),
)

_PARENS = str.maketrans({"（": "(", "）": ")", "：": ":", "／": "/"})
_UNIT = re.compile(r"\((万元|人|件|项|元)\)$")
_SPACES = re.compile(r"\s+")


def normalize_header(text) -> str:
    """Header text compared loosely: no blanks, half-width brackets, no trailing unit, lower case."""
    if text is None:
        return ""
    return _UNIT.sub("", _SPACES.sub("", str(text)).translate(_PARENS)).lower()


def header_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Normalised header (and aliases) → column."""
    index = {}
    for column in columns:
        for text in (column.header, column.key, *column.aliases):
            index[normalize_header(text)] = column
    return index
