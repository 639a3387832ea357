from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.permissions import can_edit, can_move
from pipeline.db import utcnow
from pipeline.domain.stages import (
    BOARD_ORDER,
    RECERT_STAGES,
    RecordState,
    Stage,
    allowed_targets,
    needs_for,
    stage_label,
)
from pipeline.extensions import db
from pipeline.firms.queries import get_firm_or_404, list_officers, list_towns
from pipeline.funnel import bp
from pipeline.funnel.forms import BulkMoveForm, MoveForm, stage_choices
from pipeline.funnel.models import FirmTrack
from pipeline.funnel.presenters import present, refusal_text, stage_msgids, stage_names
from pipeline.funnel.queries import (
    BoardFilter,
    board_cards,
    bulk_records_by_id,
    count_by_stage,
    get_record,
    get_track_or_404,
    list_bulk_rows,
    list_tracks,
    records_on_track,
    stale_thresholds,
)
from pipeline.funnel.services import (
    RecordChanged,
    TransitionRefused,
    acts_as_admin,
    bulk_move,
    move_firm,
    record_state,
)
from pipeline.i18n import track_name
from pipeline.web import MAX_ID, IdUrl, int_arg, safe_next_url

BULK_LIMIT = 1000  # one column of a county at a time; 1,000 moves take a few seconds (bench/bench_moves.py)
BOARD_CARDS = 20  # cards shown per column; the column header counts them all and links to the rest (the firm list)


def wants_json() -> bool:
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"


@bp.route("/")
def board():
    tracks = list_tracks()
    track = next((t for t in tracks if t.code == request.args.get("track")), tracks[0] if tracks else None)
    if track is None:
        return render_template("funnel/board.html", tracks=[], track=None)
    board_filter = BoardFilter(town_id=int_arg("town"), officer_id=int_arg("officer"))
    now, thresholds, movable = utcnow(), stale_thresholds(), can_edit(current_user)
    cards = board_cards(track, current_user, board_filter, per_stage=BOARD_CARDS)
    views = {stage: [present(r, now=now, thresholds=thresholds, viewer=current_user, can_move=movable)
                     for r in records] for stage, records in cards.items()}
    firm_ids = [r.firm_id for records in cards.values() for r in records]
    linked = {firm_id: present(r, now=now, thresholds=thresholds)
              for firm_id, r in records_on_track(firm_ids, "tech_sme").items()} if track.code == "hnte" else {}
    return render_template("funnel/board.html", tracks=tracks, track=track, columns=board_columns(track), cards=views,
                           counts=count_by_stage(track, current_user, board_filter), linked=linked,
                           board_filter=board_filter, towns=list_towns(current_user), officers=list_officers(),
                           stage_names=stage_names(track.code),
                           can_move=movable, detail_url=IdUrl("firms.detail", "firm_id"),
                           move_url=IdUrl("funnel.move", "firm_id", track_code=track.code))


def board_columns(track) -> tuple[Stage, ...]:
    """The board's columns: the re-certification stages only on tracks whose certificates last some years (高企)."""
    if track is not None and track.validity_rule == "years":
        return BOARD_ORDER
    return tuple(stage for stage in BOARD_ORDER if stage not in RECERT_STAGES)


def _move_form(record: FirmTrack | None, track, form: MoveForm | None = None) -> MoveForm:
    """Offer the targets the table allows this user, each tagged with the data it needs, named as on the track."""
    form = form or MoveForm(formdata=None, to=request.args.get("to", ""), version=record.version if record else 0,
                            next=request.args.get("next", ""))
    state = record_state(record)
    targets = allowed_targets(state, is_admin=acts_as_admin(current_user))
    form.to.choices = stage_choices(targets, needs={s: needs_for(state, s) for s in targets}, track_code=track.code)
    return form


def _render_move(firm, track, record, form, status=200, error=None):
    view = present(record, now=utcnow(), thresholds=stale_thresholds()) if record else None
    back_url = safe_next_url(form.next.data, url_for("firms.detail", firm_id=firm.id))
    return render_template("funnel/move.html", firm=firm, track=track, record=record, view=view, form=form,
                           error=error, back_url=back_url), status


@bp.route("/firms/<int:firm_id>/<track_code>/move", methods=["GET", "POST"])
def move(firm_id: int, track_code: str):
    firm, track = get_firm_or_404(firm_id, current_user), get_track_or_404(track_code)
    if not can_move(current_user, firm):
        abort(403)
    record = get_record(firm, track)
    if request.method == "GET":
        return _render_move(firm, track, record, _move_form(record, track))
    form = MoveForm()
    if not form.validate():
        message = next(iter(form.errors.values()))[0]
        if wants_json():
            return jsonify(ok=False, error=str(message)), 400
        # A visible field shows its own error: the alert is only for errors of the hidden ones (said once).
        shown = str(message) if set(form.errors) & {"version", "next", "csrf_token"} else None
        return _render_move(firm, track, record, _move_form(record, track, form), 422, shown)
    try:
        done = move_firm(record or (firm, track), form.to.data, actor=current_user, now=utcnow(),
                         expected_version=form.version.data, **form.details())
    except TransitionRefused as refusal:
        db.session.rollback()
        return _move_refused(firm, track, form, refusal)
    db.session.commit()
    # A drag reloads the board, which shows this message as the keyboard form's redirect does.
    message = _("%(firm)s 的“%(track)s”已移到“%(stage)s”。", firm=firm.name, track=track_name(track),
                stage=_(stage_label(done.to_stage, track.code)))
    flash(message, "success")
    if wants_json():
        return jsonify(ok=True, message=message, stage=done.to_stage.value, version=done.firm_track.version)
    return redirect(_after_move(done, firm, _back_to_card(form.next.data, firm)))


def _after_move(done, firm, back: str) -> str:
    """Where a move sends the officer: back, except that a 高企 认定 of a firm with IP items first asks which items
    its application used (Class II may serve one application only: pipeline/indicators/ip_items.py)."""
    from pipeline.indicators.ip_items import list_ip_items  # imported here: indicators reads the funnel

    if done.to_stage is not Stage.CERTIFIED or done.firm_track.track.code != "hnte" or not list_ip_items(firm.id):
        return back
    flash(_("请勾选本次高企认定申报使用的知识产权（II 类知识产权仅限使用一次）。"), "info")
    return url_for("indicators.ip_items", firm_id=firm.id, next=back, _anchor=f"use-{done.id}")


def _back_to_card(next_url: str | None, firm) -> str:
    """Where a move returns: the page it came from, on the board at the moved card (board.js scrolls to it,
    highlights it and gives it the focus)."""
    target = safe_next_url(next_url, url_for("firms.detail", firm_id=firm.id))
    on_board = target.split("?")[0] == url_for("funnel.board")
    return f"{target}#card-{firm.id}" if on_board else target


def _move_refused(firm, track, form: MoveForm, refusal: TransitionRefused):
    """Answer a refused move with the reason and the record's current state; a move lacking data opens the form."""
    record, text = get_record(firm, track), refusal_text(refusal)
    status = 409 if isinstance(refusal, RecordChanged) else 422
    if wants_json():
        payload = {"ok": False, "error": text, "stage": record.stage.value if record else None,
                   "stage_label": _(stage_label(record.stage, track.code)) if record else None,
                   "version": record.version if record else 0}
        if refusal.needs:
            payload.update(needs_form=True, form_url=url_for("funnel.move", firm_id=firm.id, track_code=track.code,
                                                             to=form.to.data, next=form.next.data or None))
        return jsonify(payload), status
    fields = [{"certificate": "certificate_number"}.get(name, name) for name in sorted(refusal.needs)]
    if fields and not any(name in request.form for name in fields):
        # The card's short form has no place for what this stage needs (出库's reason, a certificate): open the full
        # form on that stage, with nothing marked wrong yet.
        return redirect(url_for("funnel.move", firm_id=firm.id, track_code=track.code, to=form.to.data,
                                next=form.next.data or None), 303)
    if isinstance(refusal, RecordChanged):
        form.version.data, form.version.raw_data = (record.version if record else 0), None
    for field in fields:
        getattr(form, field).errors.append(text)
    # The refusal is said once: at the fields it concerns, or else above the form.
    return _render_move(firm, track, record, _move_form(record, track, form), status, None if fields else text)


def _posted_items() -> dict[int, int]:
    """The ticked records as {id: version seen}; malformed values are ignored."""
    items = {}
    for value in request.form.getlist("record"):
        record_id, _sep, version = value.partition(":")
        if record_id.isdigit() and version.isdigit() and int(record_id) <= MAX_ID:
            items[int(record_id)] = int(version)
    return items


@bp.route("/bulk", methods=["GET", "POST"])
def bulk():
    tracks = list_tracks()
    track = next((t for t in tracks if t.code == request.args.get("track")), tracks[0] if tracks else None)
    if track is None:
        abort(404)
    stage = Stage(request.args["stage"]) if request.args.get("stage") in set(Stage) else Stage.SCREENING
    board_filter = BoardFilter(town_id=int_arg("town"), officer_id=int_arg("officer"))
    targets, needs = _bulk_targets(stage)
    form = BulkMoveForm()
    form.to.choices = stage_choices(targets, needs=needs, track_code=track.code)
    if request.method == "POST" and form.validate():
        return _do_bulk(track, stage, board_filter, form)
    context = dict(tracks=tracks, track=track, stage=stage, board_filter=board_filter, form=form, targets=targets,
                   towns=list_towns(current_user), officers=list_officers(), stage_labels=stage_msgids(track.code),
                   stages=BOARD_ORDER, limit=BULK_LIMIT, can_move=can_edit(current_user))
    records = list_bulk_rows(track, stage, current_user, board_filter, BULK_LIMIT)
    return render_template("funnel/bulk.html", records=records, **context), (422 if request.method == "POST" else 200)


def _bulk_targets(stage: Stage) -> tuple[list[Stage], dict]:
    """Targets offered for a whole column (认定 needs a certificate per firm, so never in bulk)."""
    origins = (Stage.SCREENING, Stage.POOL, Stage.CULTIVATING, Stage.FAILED, Stage.EXPIRED)
    states = [RecordState(stage=stage, paused_from=o) for o in origins] if stage is Stage.PAUSED \
        else [RecordState(stage=stage)]
    is_admin = acts_as_admin(current_user)
    needs = {}
    for state in states:
        for target in allowed_targets(state, is_admin=is_admin):
            needs[target] = needs.get(target, frozenset()) | needs_for(state, target)
    return [s for s in BOARD_ORDER if s in needs and s is not Stage.CERTIFIED], needs


def _do_bulk(track, stage: Stage, board_filter: BoardFilter, form: BulkMoveForm):
    posted = _posted_items()
    if not posted:
        flash(_("请至少勾选一家企业。"), "warning")
        return redirect(request.full_path)
    records = bulk_records_by_id(track, list(posted), current_user, board_filter, BULK_LIMIT)
    try:
        result = bulk_move([(r, posted[r.id]) for r in records], form.to.data, actor=current_user, now=utcnow(),
                           **form.details())
    except TransitionRefused as refusal:
        db.session.rollback()
        flash(refusal_text(refusal), "danger")
        return redirect(request.full_path)
    # Rendered before the commit expires every moved record: afterwards each firm's name would cost three queries.
    page = render_template("funnel/bulk_result.html", track=track, result=result, missing=len(posted) - len(records),
                           to_stage=Stage(form.to.data), refusal_text=refusal_text,
                           stage_labels=stage_msgids(track.code),
                           back=request.full_path)
    db.session.commit()
    return page
