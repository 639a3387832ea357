from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pipeline.auth.permissions import can_edit, visible_town_ids
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.models import Track
from pipeline.i18n import local_today
from pipeline.indicators import bp
from pipeline.indicators.forms import EnterScreeningForm
from pipeline.indicators.screening import SCREENABLE, enter_screening, screen_track
from pipeline.web import form_ids


def _track_or_404(code: str) -> Track:
    track = db.session.scalar(select(Track).where(Track.code == code, Track.active.is_(True)))
    if track is None or code not in SCREENABLE:
        abort(404)
    return track


@bp.route("/screening/")
def screening_index():
    return redirect(url_for("indicators.screening", code=SCREENABLE[0]))


@bp.route("/screening/<code>")
def screening(code: str):
    track = _track_or_404(code)
    tracks = [_track_or_404(c) for c in SCREENABLE]
    return render_template("indicators/screening.html", result=screen_track(track, current_user, local_today()),
                           tracks=tracks, form=EnterScreeningForm(),
                           editable=can_edit(current_user))


@bp.route("/screening/<code>/enter", methods=["POST"])
def screening_enter(code: str):
    track = _track_or_404(code)
    firms = _visible_firms(form_ids("firm_id"))
    if not firms:
        flash(_("请先勾选企业。"), "warning")
        return redirect(url_for("indicators.screening", code=code))
    result = enter_screening(track, firms, actor=current_user, now=utcnow())
    db.session.commit()
    if result.moved:
        flash(_("已将 %(count)s 家企业纳入遴选。", count=len(result.moved)), "success")
    for firm, reason in result.refused[:10]:
        flash(_("%(name)s 未纳入：%(reason)s", name=firm.name, reason=reason), "warning")
    if len(result.refused) > 10:
        flash(_("另有 %(count)s 家企业未纳入。", count=len(result.refused) - 10), "warning")
    return redirect(url_for("indicators.screening", code=code))


def _visible_firms(ids: list[int]) -> list[Firm]:
    """The firms among ids that the user may see (others are silently left out: no existence leaks)."""
    if not ids:
        return []
    stmt = select(Firm).where(Firm.id.in_(ids[:1000]))
    towns = visible_town_ids(current_user)
    if towns is not None:
        stmt = stmt.where(Firm.town_id.in_(towns))
    return list(db.session.scalars(stmt.order_by(Firm.id)))
