"""Excel files the bureau downloads: the import template, any filtered firm list, and the 培育库 tier list.

Lists are written by pipeline/sheet_stream.py (openpyxl for the workbook and its header, the rows streamed into a
temporary file: constant memory) from a fixed number of bulk queries per EXPORT_CHUNK firms, read from a streaming
cursor; the firm list uses the import's own columns, so exporting and re-importing changes nothing.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import IO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Select, func, select

from pipeline.auth.models import User
from pipeline.domain.stages import Stage, stage_label
from pipeline.extensions import db
from pipeline.firms.models import Firm, Industry, Town
from pipeline.funnel.models import FirmTrack, StageMove, Track
from pipeline.i18n import quick_gettext, to_local, track_name
from pipeline.imports.columns import FACT_COLUMNS, FIGURE_COLUMNS, IMPORT_COLUMNS
from pipeline.imports.firm_rows import EXAMPLE_CODE
from pipeline.imports.reader import DATA_SHEET
from pipeline.indicators.assessment import EVALUATED_TRACKS, assess_firms
from pipeline.indicators.models import FirmFacts, FirmYear, Source
from pipeline.indicators.presenters import gap_texts, hnte_verdict, tech_sme_verdict
from pipeline.indicators.services import application_dates
from pipeline.indicators.tiers import KEY, ApplicationDates, tier_for
from pipeline.indicators.values import DOMAIN_CHOICES, YEAR_FIELDS
from pipeline.sheet_cells import neutralise_row
from pipeline.sheet_stream import StreamedWorkbook, style_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CHUNK = 2000  # firms per round of figure and evaluation queries: bounds a worker's memory at any county size
POOL_STAGES = (Stage.POOL, Stage.CULTIVATING, Stage.FAILED, Stage.EXPIRED, Stage.PAUSED)
_FACT_KEYS = tuple(c.key for c in FACT_COLUMNS)
_BOOL_FACTS = {c.key for c in FACT_COLUMNS if c.key not in (
    "ip_class_i", "ip_class_ii", "conversions_3y", "hnte_domain") and not c.key.startswith("expert_")}
EXAMPLE_ROW = {
    "credit_code": EXAMPLE_CODE, "name": "示例：新昌县某某精密轴承有限公司（此行不会导入）", "town": "南明街道", "industry": "轴承",
    "registered_on": date(2019, 4, 12), "address": "新昌县南明街道示例路 1 号", "legal_rep": "张三", "contact_name": "李四",
    "contact_phone": "13800000000", "contact_email": "contact@example.com", "fiscal_year": 2025, "employees": 120,
    "tech_staff": 26, "sales": 8200, "cost_expense": 7100, "rd": 410, "rd_domestic": 410, "total_assets": 9100,
    "net_assets": 4300, "total_revenue": 8300, "high_tech_revenue": 6100, "ip_class_i": 1, "ip_class_ii": 6,
    "hnte_domain": "先进制造与自动化", "conversions_3y": 9,
}


def _spool(workbook: Workbook) -> io.BytesIO:
    """The finished template (one example row: a few kB)."""
    handle = io.BytesIO()
    workbook.save(handle)
    handle.seek(0)
    return handle


def template_workbook(towns: list[str], industries: list[str]):
    """The import template: Chinese headers, one example row (skipped on import) and a sheet of notes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append(neutralise_row(c.header for c in IMPORT_COLUMNS))
    for cell in sheet[1]:
        style_header(cell)
    example = [_cell_value(c.key, EXAMPLE_ROW.get(c.key)) for c in IMPORT_COLUMNS]
    sheet.append(neutralise_row(example))
    sheet.freeze_panes = "B2"
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.key in ("credit_code", "contact_phone"):
            sheet.column_dimensions[letter].number_format = "@"  # 18-digit codes must stay text
        if column.key == "registered_on":
            sheet[f"{letter}2"].number_format = "yyyy-mm-dd"
    _validations(sheet, towns, industries)
    _notes(workbook.create_sheet("填写说明"))
    return _spool(workbook)


def _validations(sheet, towns: list[str], industries: list[str]) -> None:
    letters = {c.key: get_column_letter(i) for i, c in enumerate(IMPORT_COLUMNS, start=1)}
    lists = {"town": towns, "industry": industries, "hnte_domain": list(DOMAIN_CHOICES)}
    lists.update((key, ["是", "否"]) for key in _BOOL_FACTS)
    for key, values in lists.items():
        formula = '"' + ",".join(values) + '"'
        if not values or len(formula) > 255 or any('"' in value for value in values):
            continue  # Excel limits an in-cell list to 255 characters (and a quote would end it): the import checks
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        rule.error = _("请从下拉列表中选择。")
        rule.add(f"{letters[key]}2:{letters[key]}50000")
        sheet.add_data_validation(rule)


def _notes(sheet) -> None:
    notes = [
        _("填写说明"),
        _("1. 第一行为表头，请勿修改列名；不需要的列可以整列删除，列的顺序可以调整。"),
        _("2. 以“统一社会信用代码”匹配企业：系统中已有的企业按表中内容更新，没有的新建（新建须填写企业名称和乡镇/街道）。"),
        _("3. 空白单元格表示“不修改”，不会清空系统中已有的内容。"),
        _("4. 同一文件中每家企业只能出现一次；一次导入一个数据年度的指标，“数据年度”不填时为上一年度。"),
        _("5. 指标列须一起填写：职工总数、科技人员数为整数，金额单位为万元，最多两位小数；除净资产外不能为负数（亏损企业的净资产可填负数）；境内研发费用不填时等于研发费用。"),
        _("5a. “近三年科技成果转化”不清楚时留空：按可能的分数范围估算，不按 0 计。“核定征收”“不适用研发费用加计扣除的行业”为“是”的企业不能参加科技型中小企业评价。"),
        _("6. 乡镇/街道、行业须与系统中的名称一致；日期格式为 YYYY-MM-DD。是/否列填“是”或“否”。"),
        _("7. 示例行（信用代码 %(code)s）不会被导入，可保留或删除。", code=EXAMPLE_CODE),
        _("8. 上传后先预览：有任何错误时不能确认导入；确认后全部写入，否则一行也不写入。"),
    ]
    for line in notes:
        sheet.append(neutralise_row([line]))
    sheet.column_dimensions["A"].width = 120


def _cell_value(key: str, value):
    if key in _BOOL_FACTS and isinstance(value, bool):
        return "是" if value else "否"
    return value


def export_firms(firm_ids: Select, today: date, tracks: list[Track]) -> IO[bytes]:
    """The firms selected by firm_ids, in the import's columns plus stages and verdicts, as an .xlsx file."""
    book = StreamedWorkbook()
    info = [_("负责专员"), *[_("%(track)s阶段", track=track_name(t)) for t in tracks], _("科小评价"), _("高企评价"),
            _("评价说明")]
    widths = [c.width for c in IMPORT_COLUMNS] + [12] * (1 + len(tracks)) + [40, 40, 16]
    book.add_sheet(_("企业名单"), [c.header for c in IMPORT_COLUMNS] + info, _firm_list_rows(firm_ids, today, tracks),
                   widths=widths, freeze="C2")
    return book.to_file()


def _firm_list_rows(firm_ids: Select, today: date, tracks: list[Track]) -> Iterator[list]:
    stage_names = {}  # (stage, track) → its label in the UI language, translated once per export
    for rows in _in_chunks(_firm_rows(firm_ids)):
        ids = [row[0] for row in rows]
        stages, years, facts = _stages(ids), _latest_years(ids, today), _facts(ids)
        assessments = assess_firms(ids, today)
        for row in rows:
            firm_id = row[0]
            firm_stages = stages.get(firm_id, {})
            values = _firm_values(row) + _year_values(years.get(firm_id)) + _fact_values(facts.get(firm_id))
            values.append(row[-1] or "")
            for t in tracks:
                stage = firm_stages.get(t.id)
                if stage is not None and (stage, t.code) not in stage_names:
                    stage_names[stage, t.code] = _(stage_label(stage, t.code))
                values.append(stage_names[stage, t.code] if stage is not None else "")
            values.extend(_verdict_values(assessments.get(firm_id)))
            yield values


def _in_chunks(stmt: Select) -> Iterator[list]:
    """The rows of stmt, EXPORT_CHUNK at a time from a streaming cursor: a province's firms never sit in memory
    at once, together with their figures and evaluations."""
    yield from db.session.execute(stmt.execution_options(yield_per=EXPORT_CHUNK)).partitions()


def _firm_rows(firm_ids: Select) -> Select:
    return (select(Firm.id, Firm.credit_code, Firm.name, Town.name, Industry.name, Firm.registered_on, Firm.address,
                   Firm.legal_rep, Firm.contact_name, Firm.contact_phone, Firm.contact_email,
                   func.coalesce(func.nullif(User.display_name, ""), User.username))
            .join(Town, Firm.town_id == Town.id).outerjoin(Industry, Firm.industry_id == Industry.id)
            .outerjoin(User, Firm.officer_id == User.id).where(Firm.id.in_(firm_ids))
            .order_by(Town.sort_order, Firm.name, Firm.id))


def _firm_values(row) -> list:
    _id, code, name, town, industry, registered_on, *rest = row[:11]
    return [code, name, town, industry, registered_on, *[value or None for value in rest]]


def _stages(firm_ids: list[int]) -> dict[int, dict[int, Stage]]:
    stages = defaultdict(dict)
    for firm_id, track_id, stage in db.session.execute(
            select(FirmTrack.firm_id, FirmTrack.track_id, FirmTrack.stage).where(FirmTrack.firm_id.in_(firm_ids))):
        stages[firm_id][track_id] = stage
    return stages


def _latest_years(firm_ids: list[int], today: date) -> dict[int, tuple]:
    latest = {}
    cols = [getattr(FirmYear, name) for name in YEAR_FIELDS]
    rows = db.session.execute(select(FirmYear.firm_id, FirmYear.fiscal_year, *cols).where(
        FirmYear.source == Source.OFFICIAL.value, FirmYear.fiscal_year <= today.year, FirmYear.firm_id.in_(firm_ids)))
    for firm_id, year, *values in rows:
        if firm_id not in latest or latest[firm_id][0] < year:
            latest[firm_id] = (year, *values)
    return latest


def _facts(firm_ids: list[int]) -> dict[int, tuple]:
    cols = [getattr(FirmFacts, key) for key in _FACT_KEYS]
    return {firm_id: tuple(values) for firm_id, *values in db.session.execute(select(FirmFacts.firm_id, *cols).where(
        FirmFacts.source == Source.OFFICIAL.value, FirmFacts.firm_id.in_(firm_ids)))}


def _year_values(row: tuple | None) -> list:
    if row is None:
        return [None] * (1 + len(FIGURE_COLUMNS))
    return list(row)


def _fact_values(row: tuple | None) -> list:
    if row is None:
        return [None] * len(_FACT_KEYS)
    return [_cell_value(key, value) for key, value in zip(_FACT_KEYS, row, strict=True)]


def _verdict_values(assessment) -> list[str]:
    if assessment is None or not assessment.ok:
        return ["", "", assessment.problem if assessment else ""]
    sme, hnte = tech_sme_verdict(assessment, with_gaps=False), hnte_verdict(assessment, with_gaps=False)
    note = quick_gettext("按 %(year)s 年度数据", year=assessment.data_year)
    hnte_text = "；".join(part for part in (hnte.verdict, hnte.missing, hnte.detail) if part)
    return [f"{sme.verdict}；{sme.detail}", hnte_text, note]


def export_pool(firm_scope: Select, tracks: list[Track], today: date, authority: str) -> IO[bytes]:
    """The 培育库 list per track in the tier form: 重点培育 / 中长期培育 and 今年能否申报."""
    book = StreamedWorkbook()
    dates = application_dates(today)
    headers = [_("序号"), _("企业名称"), _("统一社会信用代码"), _("乡镇/街道"), _("行业"), _("培育库编号"), _("入库时间"),
               _("当前阶段"), _("培育层级"), _("今年能否申报"), _("评价情况"), _("主要差距"), _("负责专员")]
    for track in tracks:
        title = _("%(authority)s %(track)s培育库名单（%(year)s 年）", authority=authority, track=track_name(track),
                  year=today.year)
        rows = ([index, *values] for index, values in enumerate(_pool_rows(firm_scope, track, today, dates), start=1))
        book.add_sheet(track.short_name or track.name, headers, rows,
                       above=[[title], [_("制表日期：%(date)s", date=today.isoformat())]])
    return book.to_file()


def _pool_rows(firm_scope: Select, track: Track, today: date, dates: ApplicationDates) -> list[list]:
    records = (select(FirmTrack.id, FirmTrack.firm_id, FirmTrack.pool_number, FirmTrack.stage)
               .where(FirmTrack.track_id == track.id, FirmTrack.stage.in_(POOL_STAGES),
                      FirmTrack.firm_id.in_(firm_scope)))
    out = []
    for rows in _in_chunks(records):
        out.extend(_pool_chunk(rows, track, today, dates))
    out.sort(key=lambda r: (not r[-1], r[2], r[0]))
    return [r[:-1] for r in out]


def _pool_chunk(rows: list, track: Track, today: date, dates: ApplicationDates) -> list[list]:
    """The tier rows of one chunk of records, with the key-tier flag last (for the sort)."""
    record_ids, firm_ids = [r[0] for r in rows], [r[1] for r in rows]
    firms = {r[0]: r for r in db.session.execute(_firm_rows(firm_ids))}
    entered = dict(db.session.execute(select(StageMove.firm_track_id, func.max(StageMove.moved_at)).where(
        StageMove.firm_track_id.in_(record_ids), StageMove.to_stage == Stage.POOL)
        .group_by(StageMove.firm_track_id)).all())
    assessments = assess_firms(firm_ids, today) if track.code in EVALUATED_TRACKS else {}
    out = []
    for record_id, firm_id, pool_number, stage in rows:
        firm, assessment = firms[firm_id], assessments.get(firm_id)
        tier = tier_for(track.code, assessment, dates) if track.code in EVALUATED_TRACKS else None
        gaps = "；".join(gap_texts(assessment, track.code)) if assessment else ""
        entered_at = entered.get(record_id)
        out.append([firm[2], firm[1], firm[3], firm[4] or "", pool_number or "",
                    to_local(entered_at).date() if entered_at else None, _(stage_label(stage, track.code)),
                    tier.label if tier else "", tier.can_apply if tier else "", tier.verdict if tier else "", gaps,
                    firm[-1] or "", tier.code == KEY if tier else False])
    return out
