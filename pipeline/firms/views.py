from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.models import Role
from pipeline.auth.permissions import can_edit, can_move
from pipeline.dashboard.links import HISTORY_ARGS, FilterError
from pipeline.db import utcnow
from pipeline.domain.stages import BOARD_ORDER, EXIT_REASON_LABELS, STAGE_LABELS, Stage
from pipeline.extensions import db
from pipeline.firms import bp
from pipeline.firms.forms import FirmForm, ServiceForm, choices
from pipeline.firms.models import SERVICE_KIND_LABELS
from pipeline.firms.queries import get_firm_or_404, list_edits, list_industries, list_officers, list_towns
from pipeline.firms.search import LAST_PAGE, PAGE_SIZES, FirmFilters, list_firms_page
from pipeline.firms.services import FIELD_LABELS, FirmError, create_firm, update_firm
from pipeline.funnel.presenters import present
from pipeline.funnel.queries import firm_records, firm_timeline, list_tracks, stale_thresholds, track_from_arg
from pipeline.funnel.services import record_service
from pipeline.i18n import local_today
from pipeline.web import IdUrl, int_arg


def require_editor() -> None:
    """Forms that change data are for officers and admins; leaders read only."""
    if not can_edit(current_user):
        abort(403)


def filters_from_args() -> tuple[FirmFilters, int, int]:
    """Read the list's filters from the query string; anything malformed is ignored, never an error."""
    stage = request.args.get("stage", "")
    per_page = int_arg("per_page")
    track = track_from_arg(request.args.get("track", ""))
    history = tuple((name, request.args[name][:40]) for name in HISTORY_ARGS if request.args.get(name))
    filters = FirmFilters(
        q=request.args.get("q", "")[:100], town_id=int_arg("town"), industry_id=int_arg("industry"),
        track_id=track.id if track else None, stage=Stage(stage) if stage in set(Stage) else None,
        officer_id=int_arg("officer"), stale=request.args.get("stale") == "1",
        paused=request.args.get("paused") == "1", sort=request.args.get("sort", "name"),
        history=(("track", track.code), *history) if history and track else ())
    page = LAST_PAGE if request.args.get("page") == "last" else int_arg("page") or 1
    return filters, page, per_page if per_page in PAGE_SIZES else PAGE_SIZES[1]


@bp.route("/")
def index():
    filters, page, per_page = filters_from_args()
    now = utcnow()
    try:
        result = list_firms_page(current_user, filters, now=now, page=page, per_page=per_page)
    except FilterError as exc:
        flash(str(exc), "warning")
        filters = replace(filters, history=())
        result = list_firms_page(current_user, filters, now=now, page=page, per_page=per_page)
    thresholds = stale_thresholds()
    rows = [(firm, [present(r, now=now, thresholds=thresholds)
                    for r in sorted(firm.tracks, key=lambda r: (r.track.sort_order, r.track_id))])
            for firm in result.items]
    return render_template("firms/index.html", page=result, rows=rows, filters=filters, towns=list_towns(current_user),
                           industries=list_industries(), tracks=list_tracks(), officers=list_officers(),
                           stages=BOARD_ORDER, stage_labels=STAGE_LABELS, page_sizes=PAGE_SIZES,
                           can_edit=can_edit(current_user), history_args=HISTORY_ARGS,
                           detail_url=IdUrl("firms.detail", "firm_id"))


@bp.route("/<int:firm_id>")
def detail(firm_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    now, movable = utcnow(), can_move(current_user, firm)
    thresholds = stale_thresholds()
    records = [present(r, now=now, thresholds=thresholds, viewer=current_user, can_move=movable)
               for r in firm_records(firm)]
    on_tracks = {view.record.track_id for view in records}
    return render_template("firms/detail.html", firm=firm, records=records, can_move=movable,
                           missing_tracks=[t for t in list_tracks() if t.id not in on_tracks],
                           timeline=firm_timeline(firm), edits=list_edits(firm), field_labels=FIELD_LABELS, exit_labels=EXIT_REASON_LABELS,
                           service_labels=SERVICE_KIND_LABELS)


def _firm_form(firm=None) -> FirmForm:
    form = FirmForm(obj=firm)
    form.town_id.choices = choices(list_towns(current_user), blank=_("（请选择）"))
    form.industry_id.choices = choices(list_industries(), blank=_("（未填写）"))
    form.officer_id.choices = choices(list_officers(), blank=_("（未指定）"))
    return form


def _refused(form: FirmForm, exc: FirmError, firm=None):
    db.session.rollback()
    if exc.field:
        getattr(form, exc.field).errors.append(str(exc))
    else:
        flash(str(exc), "danger")
    return render_template("firms/form.html", form=form, firm=firm), 422


@bp.route("/new", methods=["GET", "POST"])
def create():
    require_editor()
    form = _firm_form()
    if request.method == "GET" and current_user.role is Role.OFFICER:
        form.officer_id.data = current_user.id  # an officer usually registers the firms they look after
    if form.validate_on_submit():
        try:
            firm = create_firm(form.values(), actor=current_user, now=utcnow())
        except FirmError as exc:
            return _refused(form, exc)
        db.session.commit()
        flash(_("已登记企业：%(name)s", name=firm.name), "success")
        return redirect(url_for("firms.detail", firm_id=firm.id))
    return render_template("firms/form.html", form=form, firm=None)


@bp.route("/<int:firm_id>/edit", methods=["GET", "POST"])
def edit(firm_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    require_editor()
    form = _firm_form(firm)
    if form.validate_on_submit():
        try:
            edits = update_firm(firm, form.values(), actor=current_user, now=utcnow())
        except FirmError as exc:
            return _refused(form, exc, firm)
        db.session.commit()
        flash(_("已保存 %(count)s 项修改。", count=len(edits)) if edits else _("没有需要保存的修改。"), "success")
        return redirect(url_for("firms.detail", firm_id=firm.id))
    return render_template("firms/form.html", form=form, firm=firm)


@bp.route("/<int:firm_id>/services/new", methods=["GET", "POST"])
def add_service(firm_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    require_editor()
    form = ServiceForm(served_on=local_today())
    if form.validate_on_submit():
        if form.served_on.data > local_today():
            form.served_on.errors.append(_("服务日期不能晚于今天。"))
        else:
            record_service(firm, served_on=form.served_on.data, kind=form.kind.data, note=form.note.data,
                           actor=current_user, now=utcnow())
            db.session.commit()
            flash(_("已记录服务，企业的跟进时间已更新。"), "success")
            return redirect(url_for("firms.detail", firm_id=firm.id, _anchor="timeline"))
    return render_template("firms/service_form.html", form=form, firm=firm)


@bp.app_template_global()
def url_with(**changes) -> str:
    """This page's URL with some query arguments changed (None or '' drops one), for sorting and paging links."""
    args = {**request.args.to_dict(), **changes}
    return url_for(request.endpoint, **(request.view_args or {}),
                   **{k: v for k, v in args.items() if v not in (None, "")})
