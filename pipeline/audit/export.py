"""The audit log as an .xlsx file (the page's filter), every cell through the one spreadsheet writer."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook

from pipeline.audit.models import AUDIT_LABELS, AuditKind
from pipeline.audit.queries import AuditFilters, iter_events
from pipeline.i18n import to_local
from pipeline.sheet_cells import neutralise_row


def format_details(details: dict) -> str:
    """An event's details in one line: key: value; a change as old → new."""
    parts = []
    for key, value in (details or {}).items():
        if isinstance(value, list) and len(value) == 2 and key not in ("towns",):
            value = f"{_format(value[0])} → {_format(value[1])}"
        parts.append(f"{key}: {_format(value)}")
    return "；".join(parts)


def _format(value) -> str:
    if isinstance(value, list):
        return "、".join(_format(item) for item in value) or "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return "—" if value in (None, "") else str(value)


def audit_label(kind: str) -> str:
    return _(AUDIT_LABELS[AuditKind(kind)]) if kind in AuditKind._value2member_map_ else kind


def export_events(filters: AuditFilters):
    """The filtered events, newest first, as an .xlsx file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("审计日志"))
    sheet.append([_("时间"), _("事件"), _("操作人"), _("对象"), _("地址"), _("详情")])
    for event in iter_events(filters):
        sheet.append(neutralise_row([to_local(event.at).replace(tzinfo=None), audit_label(event.kind),
                                     event.actor_name, event.target_name, event.ip, format_details(event.details)]))
    handle = io.BytesIO()  # capped by iter_events' limit: a few MB at most
    workbook.save(handle)
    handle.seek(0)
    return handle
