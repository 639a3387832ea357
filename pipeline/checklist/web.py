"""The checklists of the firm a page shows, computed once per request."""

from __future__ import annotations

from flask import g

from pipeline.checklist.services import Checklist, build_checklists
from pipeline.i18n import local_today


def firm_checklists(firm) -> list[Checklist]:
    cache = g.setdefault("firm_checklists", {})
    if firm.id not in cache:
        cache[firm.id] = build_checklists([firm.id], local_today())[firm.id]
    return cache[firm.id]
