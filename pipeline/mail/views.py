from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from pipeline.db import utcnow
from pipeline.domain.channels import CHANNEL_LABELS, SENT_BY_OUTBOX
from pipeline.extensions import db
from pipeline.mail import bp
from pipeline.mail.models import STATUS_LABELS, MessageStatus
from pipeline.mail.outbox import retry_failed_messages, retry_message
from pipeline.mail.queries import count_outbox_by_status, get_message_or_404, list_outbox
from pipeline.web import page_arg


def _status_arg() -> MessageStatus | None:
    value = request.args.get("status", "")
    return MessageStatus(value) if value in MessageStatus._value2member_map_ else None


@bp.route("/")
def outbox():
    # imported here: the channels' models import mail's models, which import this module
    from pipeline.channels.queries import count_channel_messages

    status, page = _status_arg(), page_arg()
    messages, has_next = list_outbox(status, page)
    return render_template("mail/outbox.html", messages=messages, has_next=has_next, page=page, status=status,
                           counts=count_outbox_by_status(), labels=STATUS_LABELS, statuses=list(MessageStatus),
                           channel_counts=count_channel_messages(), channel_list=SENT_BY_OUTBOX,
                           channel_labels=CHANNEL_LABELS)


@bp.route("/<int:message_id>")
def message(message_id: int):
    return render_template("mail/message.html", message=get_message_or_404(message_id), labels=STATUS_LABELS)


@bp.route("/<int:message_id>/retry", methods=["POST"])
def retry(message_id: int):
    if retry_message(get_message_or_404(message_id), utcnow()):
        db.session.commit()
        flash(_("邮件已重新加入发送队列。"), "success")
    else:
        flash(_("只有发送失败的邮件可以重试。"), "warning")
    return redirect(url_for("mail.message", message_id=message_id))


@bp.route("/retry-failed", methods=["POST"])
def retry_failed():
    count = retry_failed_messages(utcnow())
    db.session.commit()
    flash(_("已将 %(count)s 封发送失败的邮件重新加入发送队列。", count=count), "success")
    return redirect(url_for("mail.outbox", status=MessageStatus.QUEUED.value))
