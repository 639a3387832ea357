"""The firm's 申报 checklist: for the next 高企 batch and 科小 window that apply to it, what the engine still finds
lacking, the fiscal years without confirmed figures and the documents not on file, with the deadline.

Built for many firms at once with a fixed number of queries (the workbench counts incomplete checklists). The
documents a track's next application needs (REQUIRED_DOCUMENTS, of the application's year) are also what the firm
page's and the portal's gap list name: document_needs() gives them from the same items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from pipeline.documents.models import Document, DocumentType
from pipeline.documents.web import type_label
from pipeline.domain.deadlines import renewal_opens
from pipeline.extensions import db
from pipeline.indicators.assessment import CHUNK, EVALUATED_TRACKS, FirmAssessment, assess_firms
from pipeline.indicators.models import FirmYear, Source
from pipeline.indicators.presenters import TRACK_LABELS, verdicts
from pipeline.reminders.models import HnteBatch, ProgramYear

HNTE_PERIOD = 3  # fiscal years of figures and audit reports a 高企 application shows
# The documents each application needs: (type code, which years): "last" the last fiscal year, "period" each year of
# the period, "apply" the application's year, None any one on file.
REQUIRED_DOCUMENTS = {
    "hnte": (("business_license", None), ("ip_certificate", None), ("audit_report", "period"),
             ("rd_audit", "period"), ("high_tech_revenue_audit", "last"), ("application", "apply")),
    "tech_sme": (("business_license", None), ("audit_report", "last")),
}


@dataclass(frozen=True)
class ChecklistItem:
    """One line: what is needed, whether it is there, and where it is done (kind: conditions, figures, document)."""

    kind: str
    text: str
    done: bool
    year: int | None = None
    type_id: int | None = None


@dataclass(frozen=True)
class Checklist:
    track: str
    title: str
    deadline: date
    deadline_label: str
    days_left: int
    items: tuple[ChecklistItem, ...]

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]

    @property
    def complete(self) -> bool:
        return not self.open_items


@dataclass(frozen=True)
class DocumentNeeds:
    """The documents the next application on a track needs (`year`: the application's), each on file or not."""

    track: str
    title: str
    year: int
    items: tuple[ChecklistItem, ...]

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]

    @property
    def present(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.done]


@dataclass(frozen=True)
class _Context:
    today: date
    deadlines: dict[str, tuple[date, str]]
    types: dict[str, tuple[int, str]]  # code → (id, name) of the active document types
    years: dict[int, set[int]]  # firm → fiscal years with official figures
    documents: dict[int, set[tuple[str, int | None]]]  # firm → (type code, fiscal year) on file


def next_deadlines(today: date) -> dict[str, tuple[date, str]]:
    """The next 高企 batch and the 科小 window's close from the admin's calendar (none when not announced)."""
    found = {}
    batch = db.session.scalar(select(HnteBatch.due_on).where(HnteBatch.due_on >= today).order_by(HnteBatch.due_on))
    if batch is not None:
        found["hnte"] = (batch, _("高企申报批次截止"))
    window = db.session.scalar(select(ProgramYear.tech_sme_closes_on).where(ProgramYear.tech_sme_closes_on >= today)
                               .order_by(ProgramYear.tech_sme_closes_on))
    if window is not None:
        found["tech_sme"] = (window, _("科小评价填报截止"))
    return found


def application_years(today: date, deadlines: dict[str, tuple[date, str]]) -> dict[str, int]:
    """The year of each evaluated track's next application: its announced deadline's; without one, next year once
    a deadline of the track has passed this year, else this year (the calendar is not entered yet)."""
    first = date(today.year, 1, 1)
    passed = {"hnte": select(HnteBatch.id).where(HnteBatch.due_on.between(first, today)),
              "tech_sme": select(ProgramYear.year).where(ProgramYear.tech_sme_closes_on.between(first, today))}
    return {track: deadlines[track][0].year if track in deadlines
            else today.year + (db.session.scalar(passed[track].limit(1)) is not None) for track in EVALUATED_TRACKS}


def document_needs(assessment: FirmAssessment) -> dict[str, DocumentNeeds]:
    """The documents of each track's next application the firm may make (not while it holds a valid status before
    its renewal window), the same items as its checklist's: which are on file, which are missing."""
    today, firm_id = assessment.today, assessment.firm_id
    years = application_years(today, next_deadlines(today))
    types, on_file = _active_types(), _documents_on_file([firm_id]).get(firm_id, set())
    return {track: DocumentNeeds(track, _(TRACK_LABELS[track]), year, tuple(_documents(track, year, types, on_file)))
            for track, year in years.items() if _applies(assessment, track)}


def build_checklists(firm_ids: Collection[int], today: date) -> dict[int, list[Checklist]]:
    """Each firm's checklists, earliest deadline first (a track whose valid status is not yet due for renewal
    has none)."""
    deadlines = next_deadlines(today)
    if not deadlines or not firm_ids:
        return {firm_id: [] for firm_id in firm_ids}
    assessments = assess_firms(list(firm_ids), today)
    context = _Context(today, deadlines, _active_types(), _official_years(firm_ids), _documents_on_file(firm_ids))
    return {firm_id: _checklists(assessment, context) for firm_id, assessment in assessments.items()}


def _checklists(a: FirmAssessment, c: _Context) -> list[Checklist]:
    made = []
    for track, (deadline, label) in sorted(c.deadlines.items(), key=lambda item: item[1][0]):
        if not _applies(a, track):
            continue
        items = (*_conditions(a, track), *_figures(a.firm_id, track, deadline, c),
                 *_documents(track, deadline.year, c.types, c.documents.get(a.firm_id, set())))
        made.append(Checklist(track, _(TRACK_LABELS[track]), deadline, label, (deadline - c.today).days, items))
    return made


def _applies(a: FirmAssessment, track: str) -> bool:
    """Whether the firm prepares an application on the track: not while it holds a valid status, until the status's
    renewal window opens."""
    if track not in a.holdings:
        return True
    expires_on = a.holdings[track]
    return expires_on is not None and a.today >= renewal_opens(track, expires_on)


def _conditions(a: FirmAssessment, track: str) -> list[ChecklistItem]:
    if not a.ok:
        return [ChecklistItem("conditions", a.problem or _("无法评价。"), False)]
    verdict = next(v for v in verdicts(a) if v.track == track)
    if not verdict.gaps:
        return [ChecklistItem("conditions", _("条件评价：%(verdict)s", verdict=verdict.verdict), True)]
    return [ChecklistItem("conditions", gap, False) for gap in verdict.gaps]


def _period(track: str, applying: int) -> list[int]:
    """The fiscal years an application in the year `applying` shows."""
    last = applying - 1
    return list(range(last - HNTE_PERIOD + 1, last + 1)) if track == "hnte" else [last]


def _figures(firm_id: int, track: str, deadline: date, c: _Context) -> list[ChecklistItem]:
    have = c.years.get(firm_id, set())
    return [ChecklistItem("figures", _("%(year)s 年度指标（已核实）", year=year), year in have, year=year)
            for year in _period(track, deadline.year)]


def required_documents(track: str, applying: int) -> list[tuple[str, int | None]]:
    """(type code, fiscal year or None for any) of each document an application in the year `applying` needs."""
    years = {None: [None], "last": [applying - 1], "apply": [applying], "period": _period("hnte", applying)}
    return [(code, year) for code, which in REQUIRED_DOCUMENTS[track] for year in years[which]]


def _documents(track: str, applying: int, types: dict[str, tuple[int, str]],
               on_file: set[tuple[str, int | None]]) -> list[ChecklistItem]:
    items = []
    for code, year in required_documents(track, applying):
        if code not in types:
            continue  # the admin switched the type off
        type_id, name = types[code]
        done = any(kind == code for kind, _y in on_file) if year is None else (code, year) in on_file
        text = name if year is None else _("%(name)s（%(year)s 年度）", name=name, year=year)
        items.append(ChecklistItem("document", text, done, year=year, type_id=type_id))
    return items


def _active_types() -> dict[str, tuple[int, str]]:
    rows = db.session.scalars(select(DocumentType).where(DocumentType.active.is_(True)))
    return {row.code: (row.id, type_label(row)) for row in rows}


def _official_years(firm_ids: Collection[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for ids in _chunks(firm_ids):
        for firm_id, year in db.session.execute(select(FirmYear.firm_id, FirmYear.fiscal_year).where(
                FirmYear.source == Source.OFFICIAL.value, FirmYear.firm_id.in_(ids))):
            found[firm_id].add(year)
    return found


def _documents_on_file(firm_ids: Collection[int]) -> dict[int, set[tuple[str, int | None]]]:
    found: dict[int, set[tuple[str, int | None]]] = defaultdict(set)
    for ids in _chunks(firm_ids):
        for firm_id, code, year in db.session.execute(
                select(Document.firm_id, DocumentType.code, Document.fiscal_year).join(DocumentType)
                .where(Document.firm_id.in_(ids)).distinct()):
            found[firm_id].add((code, year))
    return found


def _chunks(firm_ids: Collection[int]):
    ids = list(firm_ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]
