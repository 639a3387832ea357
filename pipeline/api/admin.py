"""The admin's API client pages: the list, a new client (its token shown once) and revoking one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pipeline.api.forms import ApiClientForm
from pipeline.api.models import SCOPE_LABELS, ApiClient, ApiScope
from pipeline.api.services import ApiClientError, create_client, revoke_client
from pipeline.auth.permissions import admin_gate
from pipeline.extensions import db
from pipeline.tenancy.models import Authority
from pipeline.tenancy.scope import current_scope

bp = Blueprint("api_admin", __name__, url_prefix="/admin/api-clients")
bp.before_request(admin_gate)


def _in_scope(statement, authority_id):
    """Only what the admin's own authority and those below it own (an admin of one county: that county's)."""
    scope = current_scope()
    return statement.where(authority_id.in_(scope.authority_ids)) if scope.restricted else statement


def list_clients() -> list[ApiClient]:
    return list(db.session.scalars(_in_scope(select(ApiClient), ApiClient.authority_id).order_by(
        ApiClient.revoked_at.is_not(None), ApiClient.created_at.desc(), ApiClient.id.desc())))


def get_client_or_404(client_id: int) -> ApiClient:
    return db.session.scalar(_in_scope(select(ApiClient).where(ApiClient.id == client_id),
                                       ApiClient.authority_id)) or abort(404)


def authority_choices() -> list[tuple[int, str]]:
    authorities = db.session.scalars(_in_scope(select(Authority), Authority.id)
                                     .order_by(Authority.sort_order, Authority.id))
    return [(authority.id, authority.name) for authority in authorities]


@bp.route("/")
def index():
    return render_template("api/clients.html", clients=list_clients(), labels=SCOPE_LABELS,
                           several=len(authority_choices()) > 1)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = ApiClientForm(data={"authority_id": current_user.authority_id, "scopes": [ApiScope.FIRMS.value]})
    form.authority_id.choices = authority_choices()
    form.scopes.choices = [(scope.value, _(label)) for scope, label in SCOPE_LABELS.items()]
    if form.validate_on_submit():
        try:
            made = create_client(form.name.data, form.authority_id.data, form.scopes.data, actor=current_user)
        except ApiClientError as exc:
            db.session.rollback()
            form.name.errors.append(_(str(exc)))
            return render_template("api/client_form.html", form=form), 422
        db.session.commit()
        return render_template("api/client_created.html", client=made.client, token=made.token)
    return render_template("api/client_form.html", form=form)


@bp.post("/<int:client_id>/revoke")
def revoke(client_id: int):
    client = get_client_or_404(client_id)
    try:
        revoke_client(client, actor=current_user)
    except ApiClientError as exc:
        flash(_(str(exc)), "warning")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("已吊销客户端“%(name)s”的令牌。", name=client.name), "success")
    return redirect(url_for(".index"))
