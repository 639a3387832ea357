"""A firm's IP items (staff pages): each item's 高企 use, entering items, ticking the items of a 高企 recognition."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pipeline.auth.permissions import can_edit
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.firms.queries import get_firm_or_404
from pipeline.i18n import local_today
from pipeline.indicators import bp
from pipeline.indicators.forms import IpItemForm, RecognitionItemsForm
from pipeline.indicators.ip_items import (
    IpItemError,
    delete_ip_item,
    get_ip_item_or_404,
    get_recognition_or_404,
    ip_overview,
    list_ip_items,
    save_ip_item,
    set_recognition_items,
)
from pipeline.indicators.views import require_editor
from pipeline.web import safe_next_url


@bp.route("/firms/<int:firm_id>/ip")
def ip_items(firm_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    return render_template("indicators/ip_items.html", firm=firm, ip=ip_overview(firm.id, local_today()),
                           editable=can_edit(current_user))


@bp.route("/firms/<int:firm_id>/ip/new", methods=["GET", "POST"])
@bp.route("/firms/<int:firm_id>/ip/<int:item_id>", methods=["GET", "POST"])
def edit_ip_item(firm_id: int, item_id: int | None = None):
    firm = get_firm_or_404(firm_id, current_user)
    require_editor()
    item = get_ip_item_or_404(firm, item_id) if item_id is not None else None
    form = IpItemForm(obj=item)
    if form.validate_on_submit():
        try:
            save_ip_item(firm, form.data, item=item, actor=current_user, now=utcnow(), today=local_today())
        except IpItemError as exc:
            (form[exc.field] if exc.field else form.number).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("已保存知识产权：%(title)s", title=form.title.data.strip()), "success")
            return redirect(url_for("indicators.ip_items", firm_id=firm.id))
    return render_template("indicators/ip_item_form.html", firm=firm, form=form, item=item)


@bp.route("/firms/<int:firm_id>/ip/<int:item_id>/delete", methods=["POST"])
def remove_ip_item(firm_id: int, item_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    require_editor()
    item = get_ip_item_or_404(firm, item_id)
    try:
        delete_ip_item(item)
    except IpItemError as exc:
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash(_("已删除该知识产权。"), "info")
    return redirect(url_for("indicators.ip_items", firm_id=firm.id))


@bp.route("/firms/<int:firm_id>/ip/recognitions/<int:move_id>", methods=["POST"])
def recognition_items(firm_id: int, move_id: int):
    firm = get_firm_or_404(firm_id, current_user)
    require_editor()
    recognition = get_recognition_or_404(firm, move_id)
    form = RecognitionItemsForm()
    form.item.choices = [(item.id, item.number) for item in list_ip_items(firm.id)]
    back = safe_next_url(form.next.data, url_for("indicators.ip_items", firm_id=firm.id, _anchor=f"use-{move_id}"))
    if not form.validate_on_submit():
        flash(_("勾选的知识产权无效，请刷新页面后重试。"), "warning")
        return redirect(back)
    try:
        set_recognition_items(firm, recognition, form.item.data, actor=current_user, now=utcnow())
    except IpItemError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("已登记 %(date)s 高企认定使用的知识产权：%(count)s 件。", date=recognition.issued_on.isoformat(),
                count=len(form.item.data)), "success")
    return redirect(back)
