from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pipeline.auth.models import Role, User
from pipeline.domain.stages import STAGE_LABELS
from pipeline.extensions import db
from pipeline.firms.forms import choices
from pipeline.firms.queries import list_towns
from pipeline.funnel.admin import bp
from pipeline.funnel.admin.services import SettingsError, save_track, set_officer_towns
from pipeline.funnel.forms import OfficerTownsForm, StaleForm, TrackForm
from pipeline.funnel.queries import get_track_or_404, list_tracks, stale_thresholds
from pipeline.funnel.services import set_stale_thresholds
from pipeline.web import MAX_ID

TRACK_FIELDS = ("name", "name_en", "code", "short_name", "validity_rule", "validity_years", "number_pattern",
                "number_hint", "sort_order")


@bp.route("/tracks")
def tracks():
    return render_template("funnel/admin/tracks.html", tracks=list_tracks(active_only=False))


@bp.route("/tracks/new", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/tracks/<code>/edit", methods=["GET", "POST"])
def track_form(code: str | None):
    track = get_track_or_404(code, active_only=False) if code else None
    form = TrackForm(obj=track, active="1" if track is None or track.active else "0")
    if track is not None:
        form.code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in TRACK_FIELDS}
        values["active"] = form.active.data == "1"
        try:
            saved = save_track(track, values)
        except SettingsError as exc:
            db.session.rollback()
            (getattr(form, exc.field).errors if exc.field else form.name.errors).append(str(exc))
            return render_template("funnel/admin/track_form.html", form=form, track=track), 422
        db.session.commit()
        flash(_("已保存培育类别“%(name)s”。", name=saved.name), "success")
        return redirect(url_for("funnel_admin.tracks"))
    return render_template("funnel/admin/track_form.html", form=form, track=track)


@bp.route("/stale", methods=["GET", "POST"])
def stale():
    current = stale_thresholds()
    form = StaleForm(data={stage.value: current.get(stage) for stage in StaleForm.STAGES})
    if form.validate_on_submit():
        set_stale_thresholds({stage: getattr(form, stage.value).data for stage in StaleForm.STAGES})
        db.session.commit()
        flash(_("已保存停滞提醒天数。"), "success")
        return redirect(url_for("funnel_admin.stale"))
    return render_template("funnel/admin/stale.html", form=form, stage_labels=STAGE_LABELS)


def _officers() -> list[User]:
    return list(db.session.scalars(select(User).options(selectinload(User.towns))
                                   .where(User.role == Role.OFFICER).order_by(User.username)))


@bp.route("/officers", methods=["GET", "POST"])
def officers():
    town_choices = choices(list_towns())
    form = OfficerTownsForm()
    form.towns.choices = town_choices
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data) if 0 < form.user_id.data <= MAX_ID else None
        if user is None or user.role is not Role.OFFICER:
            abort(404)
        set_officer_towns(user, form.towns.data)
        db.session.commit()
        flash(_("已保存 %(name)s 的负责乡镇。", name=user.label), "success")
        return redirect(url_for("funnel_admin.officers"))
    forms = []
    for user in _officers():
        row = OfficerTownsForm(formdata=None, user_id=user.id, towns=[t.id for t in user.towns])
        row.towns.choices = town_choices
        forms.append((user, row))
    return render_template("funnel/admin/officers.html", forms=forms, error_form=form if form.errors else None), \
        (422 if form.errors else 200)
