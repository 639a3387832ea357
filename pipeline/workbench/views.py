"""The workbench page and its "done" button."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.i18n import local_today
from pipeline.web import safe_next_url
from pipeline.workbench import bp
from pipeline.workbench.forms import DoneForm
from pipeline.workbench.queries import build_workbench
from pipeline.workbench.services import WorkbenchError, mark_done


@bp.route("/")
def index():
    board = build_workbench(current_user, now=utcnow(), today=local_today())
    return render_template("workbench/index.html", board=board, form=DoneForm())


@bp.route("/done", methods=["POST"])
def done():
    form = DoneForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        mark_done(current_user, form.kind.data, form.ref_id.data, now=utcnow())
    except WorkbenchError:
        abort(400)
    db.session.commit()
    flash(_("已标记为完成。"), "success")
    return redirect(safe_next_url(form.next.data, url_for("workbench.index")))
