"""What the indicators' templates (and the firm page and portal slots) may call."""

from __future__ import annotations

from flask_babel import gettext as _

from pipeline.i18n import local_today
from pipeline.indicators.ip_items import ip_overview
from pipeline.indicators.models import ORIGIN_LABELS, STATUS_LABELS
from pipeline.indicators.presenters import hnte_conditions, verdicts
from pipeline.indicators.services import evaluate_firm
from pipeline.indicators.values import FACT_LABELS, FIRM_FACTS, YEAR_FIELDS, YEAR_LABELS


def firm_assessment(firm):
    """The firm's evaluation today (used by the firm page's and the portal's gaps slots)."""
    return evaluate_firm(firm, local_today())


def firm_ip(firm):
    """The firm's IP items with their 高企 use (the firm page's panel and the portal's figures page)."""
    return ip_overview(firm.id, local_today())


def fact_text(row, name: str) -> str:
    if row is None:
        return "—"
    value = getattr(row, name)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return _("未评分") if name.startswith("expert_") else _("未填写")
    return _(value) if name == "hnte_domain" else str(value)


def template_context() -> dict:
    return {
        "firm_assessment": firm_assessment, "firm_ip": firm_ip, "track_verdicts": verdicts,
        "hnte_conditions": hnte_conditions,
        "fact_text": fact_text, "year_fields": YEAR_FIELDS, "year_labels": YEAR_LABELS, "fact_labels": FACT_LABELS,
        "firm_fact_names": FIRM_FACTS, "status_labels": STATUS_LABELS, "origin_labels": ORIGIN_LABELS,
    }
