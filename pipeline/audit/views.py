"""The admin's audit log page: filter by user, event and date; the same filter as an Excel download."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from pipeline.audit.export import audit_label, export_events, format_details
from pipeline.audit.models import AUDIT_LABELS, AuditKind
from pipeline.audit.queries import AuditFilters, list_events
from pipeline.audit.watch import register_settings_audit
from pipeline.audit.web import audit_download
from pipeline.auth.permissions import admin_gate
from pipeline.i18n import local_today
from pipeline.web import page_arg, send_attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
bp.before_request(admin_gate)


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _filters() -> AuditFilters:
    kind = request.args.get("kind", "")
    return AuditFilters(user=request.args.get("user", "").strip()[:64],
                        kind=kind if kind in AuditKind._value2member_map_ else "",
                        since=_day("since"), until=_day("until"))


@bp.route("/")
def index():
    filters, page = _filters(), page_arg()
    events, has_next = list_events(filters, page)
    return render_template("audit/index.html", events=events, has_next=has_next, page=page, filters=filters,
                           labels=AUDIT_LABELS, kinds=list(AuditKind), args=request.args.to_dict())


@bp.route("/export.xlsx")
def export():
    filters = _filters()
    audit_download("audit_log.xlsx")
    return send_attachment(export_events(filters), mimetype=XLSX, filename=f"审计日志-{local_today().isoformat()}.xlsx")


@bp.app_template_global("audit_label")
def _audit_label(kind: str) -> str:
    return audit_label(kind)


@bp.app_template_global("audit_details")
def _audit_details(details: dict) -> str:
    return format_details(details)


@bp.record_once
def _watch_settings(state) -> None:
    register_settings_audit()
