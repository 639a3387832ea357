from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from pipeline.channels import bp
from pipeline.channels.forms import read_settings_form, settings_page_context
from pipeline.channels.queries import (
    count_channel_messages,
    get_channel_message_or_404,
    list_channel_messages,
)
from pipeline.channels.services import ChannelError, save_channel_settings
from pipeline.db import utcnow
from pipeline.domain.channels import CHANNEL_LABELS, SENT_BY_OUTBOX, Channel
from pipeline.extensions import db
from pipeline.forms import Form
from pipeline.mail.models import STATUS_LABELS, MessageStatus
from pipeline.mail.outbox import retry_message
from pipeline.web import page_arg


def _enum_arg(name: str, enum):
    value = request.args.get(name, "")
    return enum(value) if value in enum._value2member_map_ else None


@bp.route("/", methods=["GET", "POST"])
def settings():
    form = Form()
    if form.validate_on_submit():
        try:
            save_channel_settings(*read_settings_form(request.form))
        except ChannelError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return render_template("channels/settings.html", form=form, **settings_page_context(request.form)), 400
        db.session.commit()
        flash(_("通知渠道设置已保存。"), "success")
        return redirect(url_for("channels.settings"))
    return render_template("channels/settings.html", form=form, **settings_page_context())


@bp.route("/messages")
def messages():
    channel, status, page = _enum_arg("channel", Channel), _enum_arg("status", MessageStatus), page_arg()
    rows, has_next = list_channel_messages(channel, status, page)
    return render_template("channels/messages.html", messages=rows, has_next=has_next, page=page, channel=channel,
                           status=status, counts=count_channel_messages(), channels=SENT_BY_OUTBOX,
                           channel_labels=CHANNEL_LABELS, labels=STATUS_LABELS, statuses=list(MessageStatus))


@bp.route("/messages/<int:message_id>/retry", methods=["POST"])
def retry(message_id: int):
    if retry_message(get_channel_message_or_404(message_id), utcnow()):
        db.session.commit()
        flash(_("消息已重新加入发送队列。"), "success")
    else:
        flash(_("只有发送失败的消息可以重试。"), "warning")
    return redirect(url_for("channels.messages"))
