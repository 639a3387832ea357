"""The 省科小 screening page: candidates with their gaps, and putting the chosen firms into 遴选."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pipeline.auth.permissions import can_edit, visible_town_ids
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel import bp
from pipeline.funnel.prov_sme import screen_prov_sme
from pipeline.funnel.queries import get_track_or_404
from pipeline.i18n import local_today
from pipeline.indicators.screening import enter_screening
from pipeline.web import form_ids


@bp.route("/screening/prov_sme")
def prov_sme_screening():
    track = get_track_or_404("prov_sme")
    return render_template("funnel/prov_sme_screening.html", result=screen_prov_sme(track, current_user, local_today()),
                           editable=can_edit(current_user))


@bp.route("/screening/prov_sme/enter", methods=["POST"])
def prov_sme_enter():
    track = get_track_or_404("prov_sme")
    if not can_edit(current_user):
        abort(403)
    ids = form_ids("firm_id")
    towns = visible_town_ids(current_user)
    stmt = select(Firm).where(Firm.id.in_(ids), *([Firm.town_id.in_(towns)] if towns is not None else []))
    firms = list(db.session.scalars(stmt.order_by(Firm.id))) if ids else []
    if not firms:
        flash(_("请先勾选企业。"), "warning")
        return redirect(url_for("funnel.prov_sme_screening"))
    result = enter_screening(track, firms, actor=current_user, now=utcnow())
    db.session.commit()
    if result.moved:
        flash(_("已将 %(count)s 家企业纳入遴选。", count=len(result.moved)), "success")
    for firm, reason in result.refused[:10]:
        flash(_("%(name)s 未纳入：%(reason)s", name=firm.name, reason=reason), "warning")
    return redirect(url_for("funnel.prov_sme_screening"))
