"""The admin's outbox page: states, error text, and retrying failed messages."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.mail.models import MessageStatus, OutboxMessage
from pipeline.mail.outbox import queue_email

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def failed_message(db, subject="失败的邮件"):
    message = queue_email([("王科员", "wang@example.com")], subject, "正文", now=NOW)
    message.status, message.attempts, message.last_error = MessageStatus.FAILED, 7, "554 5.7.1 Message rejected"
    db.session.commit()
    return message


def test_the_outbox_lists_messages_with_their_state_and_error(client, db, login_as):
    login_as(Role.ADMIN)
    failed_message(db)
    queue_email(["a@example.com"], "待发送的邮件", "正文", now=NOW)
    db.session.commit()
    html = client.get("/admin/mail/").get_data(as_text=True)
    assert "失败的邮件" in html and "554 5.7.1 Message rejected" in html and "待发送的邮件" in html
    failed_only = client.get("/admin/mail/?status=failed").get_data(as_text=True)
    assert "失败的邮件" in failed_only and "待发送的邮件" not in failed_only
    assert client.get("/admin/mail/?status=nonsense&page=-3").status_code == 200


def test_the_admin_retries_a_failed_message(client, db, login_as):
    login_as(Role.ADMIN)
    message = failed_message(db)
    detail = client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "重试发送" in detail and "王科员 &lt;wang@example.com&gt;" in detail
    assert client.post(f"/admin/mail/{message.id}/retry").status_code == 302
    db.session.expire_all()
    row = db.session.get(OutboxMessage, message.id)
    assert (row.status, row.attempts) == (MessageStatus.QUEUED, 0)
    response = client.post(f"/admin/mail/{message.id}/retry", follow_redirects=True)
    assert "只有发送失败的邮件可以重试" in response.get_data(as_text=True)


def test_the_admin_retries_every_failed_message_at_once(client, db, login_as):
    login_as(Role.ADMIN)
    for index in range(3):
        failed_message(db, f"失败 {index}")
    response = client.post("/admin/mail/retry-failed", follow_redirects=True)
    assert "已将 3 封发送失败的邮件重新加入发送队列" in response.get_data(as_text=True)
    assert set(db.session.scalars(select(OutboxMessage.status))) == {MessageStatus.QUEUED}
