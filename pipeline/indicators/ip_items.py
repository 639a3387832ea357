"""A firm's IP items and the successful 高企 applications that used them.

The officer enters each item from its certificate, and ticks, per 高企 recognition of the firm (its 认定 history
row), the items that application listed: a recognition is the fact the bureau records anyway (with its certificate
number), whichever way it was recorded (move form, board, results import, history before the system), and the
officer holds the firm's application when the result comes. A Class II item can be ticked for one recognition only
("按Ⅱ类评价的知识产权在申请高新技术企业时，仅限使用一次", 工作指引, see pipeline/domain/ip.py).

Which counts win: a firm with at least one item is evaluated on its items (assessment.py), and the IP counts of its
facts are left aside; a firm without items keeps its counts exactly as before. Items are the finer record and the only
one that knows which items are spent; mixing both (the larger, or the sum) would count an item twice or let a stale
count bring a spent item back. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from pipeline.auth.models import User
from pipeline.domain.ip import KIND_LABELS, IpKind, ip_class, ip_counts
from pipeline.domain.ip import IpItem as Item
from pipeline.domain.profile import IpCounts
from pipeline.domain.stages import EntryClass, Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import StageMove, Track
from pipeline.indicators.models import IpItem, IpItemUse
from pipeline.web import MAX_ID

HNTE = "hnte"


class IpItemError(ValueError):
    """An item or a use that cannot be saved; `field` names the form field it is about (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def list_ip_items(firm_id: int) -> list[IpItem]:
    """A firm's items, Class I first, then by kind and grant date, with their uses and recognitions (two queries)."""
    items = db.session.scalars(select(IpItem).where(IpItem.firm_id == firm_id).options(
        selectinload(IpItem.uses).joinedload(IpItemUse.recognition)))
    return sorted(items, key=lambda i: (ip_class(i.kind), list(IpKind).index(IpKind(i.kind)), i.granted_on, i.id))


def list_hnte_recognitions(firm_id: int) -> list[StageMove]:
    """The firm's successful 高企 applications: its 认定 history rows on the 高企 track, latest first (a restored
    certificate is the same recognition given back, not an application)."""
    return list(db.session.scalars(select(StageMove).join(Track, Track.id == StageMove.track_id).where(
        StageMove.firm_id == firm_id, Track.code == HNTE, StageMove.to_stage == Stage.CERTIFIED,
        or_(StageMove.entry_class.is_(None), StageMove.entry_class != EntryClass.RESTORED.value))
        .order_by(StageMove.moved_at.desc(), StageMove.id.desc())))


def get_ip_item_or_404(firm: Firm, item_id: int) -> IpItem:
    """One item of this firm; another firm's item (or none) is 404."""
    item = db.session.get(IpItem, item_id) if 0 < item_id <= MAX_ID else None
    if item is None or item.firm_id != firm.id:
        abort(404)
    return item


def get_recognition_or_404(firm: Firm, move_id: int) -> StageMove:
    """One 高企 recognition of this firm; anything else is 404."""
    move = next((m for m in list_hnte_recognitions(firm.id) if m.id == move_id), None)
    if move is None:
        abort(404)
    return move


def domain_items(items: Collection[IpItem]) -> list[Item]:
    """The items as the engine reads them, each with the day of its first successful 高企 application."""
    return [Item(IpKind(i.kind), i.granted_on, i.acquired,
                 min((u.recognition.issued_on for u in i.uses), default=None)) for i in items]


def current_counts(items: Collection[IpItem], today: date) -> IpCounts | None:
    """The counts the engine takes from the items today (None without items: the facts' counts apply)."""
    return ip_counts(domain_items(items), today) if items else None


def save_ip_item(firm: Firm, values: dict, *, item: IpItem | None = None, actor: User | None, now: datetime,
                 today: date) -> IpItem:
    """Add an item to the firm (item None) or change one; raise IpItemError with the field at fault."""
    kind, number, title = IpKind(values["kind"]), values["number"].strip(), values["title"].strip()
    granted_on, acquired = values["granted_on"], bool(values.get("acquired"))
    if granted_on > today:
        raise IpItemError(_("授权（取得）日期不能晚于今天。"), "granted_on")
    clash = db.session.scalar(select(IpItem.id).where(IpItem.firm_id == firm.id, IpItem.kind == kind.value,
                                                     IpItem.number == number))
    if clash is not None and (item is None or clash != item.id):
        raise IpItemError(_("该企业已登记编号为 %(number)s 的%(kind)s。", number=number, kind=_(KIND_LABELS[kind])),
                          "number")
    if item is not None:
        _check_uses(item, kind, granted_on)
    else:
        item = IpItem(firm_id=firm.id)
        db.session.add(item)
    item.kind, item.number, item.title, item.granted_on, item.acquired = kind.value, number, title, granted_on, acquired
    item.updated_at, item.updated_by = now, actor
    db.session.flush()
    return item


def _check_uses(item: IpItem, kind: IpKind, granted_on: date) -> None:
    """A change must keep the item's recorded uses possible: granted before each, at most one use if Class II."""
    days = sorted(u.recognition.issued_on for u in item.uses)
    if days and granted_on > days[0]:
        raise IpItemError(_("该知识产权已用于 %(date)s 的高企认定，授权日期不能晚于该日期。", date=days[0].isoformat()),
                          "granted_on")
    if len(days) > 1 and ip_class(kind) == 2:
        raise IpItemError(_("该知识产权已用于 %(count)s 次高企认定，II 类知识产权仅限使用一次，不能改为 II 类。",
                            count=len(days)), "kind")


def delete_ip_item(item: IpItem) -> None:
    """Remove an item entered by mistake; one a recognition used stays (untick it there first)."""
    if item.uses:
        year = min(u.recognition.issued_on for u in item.uses).year
        raise IpItemError(_("该知识产权已用于 %(year)s 年高企认定，不能删除；如确属录入错误，请先在该次认定中取消勾选。",
                            year=year))
    db.session.delete(item)
    db.session.flush()


def set_recognition_items(firm: Firm, recognition: StageMove, item_ids: Collection[int], *, actor: User | None,
                          now: datetime) -> None:
    """Record which of the firm's items a successful 高企 application used (replacing what was ticked before)."""
    items, wanted = list_ip_items(firm.id), set(item_ids)
    chosen = [i for i in items if i.id in wanted]
    day = recognition.issued_on  # every 认定 row carries its issue date (check_transition requires one)
    for item in chosen:
        _check_use(item, recognition, day)
    for item in items:
        use = next((u for u in item.uses if u.stage_move_id == recognition.id), None)
        if item in chosen and use is None:
            item.uses.append(IpItemUse(recognition=recognition, recorded_at=now,
                                       recorded_by_id=actor.id if actor else None))
        elif item not in chosen and use is not None:
            item.uses.remove(use)
    db.session.flush()


def _check_use(item: IpItem, recognition: StageMove, day: date) -> None:
    label = _("“%(title)s”（%(number)s）", title=item.title, number=item.number)
    if item.granted_on > day:
        raise IpItemError(_("%(item)s授权于 %(granted)s，晚于本次认定的发证日期 %(day)s，不能用于本次申报。", item=label,
                            granted=item.granted_on.isoformat(), day=day.isoformat()))
    other = next((u for u in item.uses if u.stage_move_id != recognition.id), None)
    if other is not None and ip_class(item.kind) == 2:
        raise IpItemError(_("%(item)s已用于 %(year)s 年高企认定：II 类知识产权仅限使用一次。", item=label,
                            year=other.recognition.issued_on.year))


@dataclass(frozen=True)
class IpRow:
    """One item for the tables of the firm page, the IP page and the portal."""

    id: int
    kind: str  # msgid of the kind
    ip_class: int
    number: str
    title: str
    granted_on: date
    acquired: bool
    used_in: tuple[int, ...]  # years of the successful 高企 applications that used it
    usable_for_hnte: bool


def ip_rows(items: Collection[IpItem]) -> list[IpRow]:
    """Plain rows of the items with their 高企 status (a used Class II is no longer usable; Class I always is)."""
    rows = []
    for item in items:
        years = tuple(sorted({u.recognition.issued_on.year for u in item.uses}))
        klass = ip_class(item.kind)
        rows.append(IpRow(item.id, KIND_LABELS[IpKind(item.kind)], klass, item.number, item.title, item.granted_on,
                          item.acquired, years, klass == 1 or not years))
    return rows


@dataclass(frozen=True)
class RecognitionRow:
    """A successful 高企 application of the firm and the items it used."""

    move_id: int
    issued_on: date
    certificate_number: str
    entry_class: str | None
    item_ids: frozenset[int]


@dataclass(frozen=True)
class IpOverview:
    """What the firm page, the IP page and the portal show: the items, today's counts (None without items: the
    facts' counts apply) and the firm's 高企 recognitions with the items each used."""

    rows: list[IpRow]
    counts: IpCounts | None
    recognitions: list[RecognitionRow]

    @property
    def hnte_class_ii(self) -> int:
        return self.counts.for_hnte().class_ii if self.counts else 0


def ip_overview(firm_id: int, today: date) -> IpOverview:
    """The firm's items, counts and 高企 recognitions (three queries, two without items)."""
    items = list_ip_items(firm_id)
    used = {}
    for item in items:
        for use in item.uses:
            used.setdefault(use.stage_move_id, set()).add(item.id)
    recognitions = [RecognitionRow(m.id, m.issued_on, m.certificate_number or "", m.entry_class,
                                   frozenset(used.get(m.id, ()))) for m in list_hnte_recognitions(firm_id)]
    return IpOverview(ip_rows(items), current_counts(items, today), recognitions)
