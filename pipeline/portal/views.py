"""The firms' portal: a firm user sees and edits only its own firm; the firm always comes from the login."""

from flask import flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.firms.forms import ContactForm
from pipeline.firms.models import SERVICE_KIND_LABELS, Firm
from pipeline.firms.services import CONTACT_FIELDS, update_firm
from pipeline.funnel.presenters import present
from pipeline.funnel.queries import firm_records, firm_timeline
from pipeline.i18n import track_name
from pipeline.portal import bp


def own_firm() -> Firm:
    """The logged-in firm user's firm: the portal never takes a firm id from the request."""
    return db.session.get(Firm, current_user.firm_id)


def _records(firm: Firm):
    now = utcnow()
    return [present(r, now=now, thresholds={}, for_firm=True) for r in firm_records(firm)]


@bp.route("/")
def index():
    firm = own_firm()
    return render_template("portal/index.html", firm=firm, records=_records(firm), timeline=firm_timeline(firm),
                           service_labels=SERVICE_KIND_LABELS)


@bp.route("/status.json")
def status_json():
    firm = own_firm()
    tracks = [{
        "track": view.record.track.code, "track_name": track_name(view.record.track), "stage": view.record.stage.value,
        "status": _(view.status.text, **(view.status.params or {})), "pool_number": view.record.pool_number,
        "certificate_number": view.record.certificate_number,
        "expires_on": view.record.expires_on.isoformat() if view.record.expires_on else None,
        "next_deadline": {"label": _(view.deadline.label), "date": view.deadline.due_on.isoformat()}
        if view.deadline else None,
    } for view in _records(firm)]
    return jsonify(firm={"name": firm.name, "credit_code": firm.credit_code}, tracks=tracks)


@bp.route("/contact", methods=["GET", "POST"])
def contact():
    firm = own_firm()
    form = ContactForm(obj=firm)
    if form.validate_on_submit():
        edits = update_firm(firm, {name: getattr(form, name).data for name in CONTACT_FIELDS}, actor=current_user,
                            now=utcnow())
        db.session.commit()
        flash(_("联系方式已更新。") if edits else _("没有需要保存的修改。"), "success")
        return redirect(url_for("portal.index"))
    return render_template("portal/contact.html", form=form, firm=firm)
