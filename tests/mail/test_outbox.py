"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1): only time is passed in, nothing is mocked."""

from __future__ import annotations

import email
import socket
from datetime import UTC, datetime, timedelta
from email.policy import default

import pytest
from sqlalchemy import func, select

from pipeline.mail.models import MessageStatus, OutboxMessage
from pipeline.mail.outbox import Attachment, queue_email, queue_template_email
from pipeline.mail.sender import send_queued_emails
from tests.smtp import PASSWORD, USERNAME, SmtpServer, make_certificate
from tests.threads import run_at_once

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def deliver(app, now=NOW, **kw):
    """Run the sender in an app context of its own, as the scheduler process does."""
    with app.app_context():
        return send_queued_emails(now, **kw)


def text_of(message, kind="plain") -> str:
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def outbox(db):
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def queue_some(db, count=1, **kw):
    for index in range(count):
        queue_email([("王科员", f"officer{index}@example.com")], f"测试邮件 {index}", f"正文 {index}", now=NOW, **kw)
    db.session.commit()


def test_a_rolled_back_change_queues_and_sends_nothing(app, db, smtp_server, make_firm):
    make_firm(name="回滚测试有限公司")
    queue_email(["a@example.com"], "不应发送", "正文", now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert deliver(app).sent == 0
    assert smtp_server.envelopes == []


def test_chinese_subject_names_body_and_attachment_decode_at_the_receiving_end(app, db, smtp_server):
    subject = "【新昌县科学技术局】高新技术企业证书将于2026-12-01到期，请及时重新申报认定"
    queue_email([("浙江天姥精密轴承有限公司", "contact@example.com")], subject, "您好：\n.以点开头的一行\n证书即将到期。",
                html="<p>您好：</p><p>证书即将到期。</p>", cc=[("王科员", "officer@example.com")],
                attachments=[Attachment("2026年11月培育漏斗月报.pdf", "application/pdf", b"%PDF-1.7 test")], now=NOW)
    db.session.commit()
    assert deliver(app).sent == 1
    (message,) = smtp_server.messages
    raw = smtp_server.envelopes[0].content
    assert raw.isascii()  # everything encoded: no 8-bit bytes on the wire
    assert message["Subject"] == subject
    assert message["From"].addresses[0].display_name == "新昌县科学技术局"
    assert message["To"].addresses[0].display_name == "浙江天姥精密轴承有限公司"
    assert message["Cc"].addresses[0].display_name == "王科员"
    assert message["Auto-Submitted"] == "auto-generated"
    # base64 text carries the canonical CRLF line ends of MIME (RFC 2045); mail clients show plain lines
    assert text_of(message) == "您好：\n.以点开头的一行\n证书即将到期。\n"
    assert "证书即将到期" in text_of(message, "html")
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "2026年11月培育漏斗月报.pdf"
    assert attachment.get_content() == b"%PDF-1.7 test"
    (row,) = outbox(db)
    assert (row.status, row.attempts, row.sent_at, message["Message-ID"]) == (MessageStatus.SENT, 1, NOW, row.message_id)


def test_bulk_recipients_go_in_bcc_and_not_in_the_headers(app, db, smtp_server):
    queue_email([], "群发通知", "正文", bcc=[f"firm{i}@example.com" for i in range(5)], now=NOW)
    db.session.commit()
    deliver(app)
    (envelope,) = smtp_server.envelopes
    assert sorted(envelope.rcpt_tos) == [f"firm{i}@example.com" for i in range(5)]
    message = smtp_server.messages[0]
    assert "Bcc" not in message and "firm0" not in envelope.content.decode()
    assert message["To"].groups[0].display_name == "undisclosed-recipients"


def test_a_template_email_is_rendered_in_chinese(app, db, smtp_server):
    queue_template_email("reminder", [("李科员", "li@example.com")], now=NOW, context=dict(
        greeting="李科员", title="测试提醒", body="第一段。\n第二段。", items=["甲公司", "乙公司"], link="http://x/"))
    db.session.commit()
    deliver(app)
    message = smtp_server.messages[0]
    assert message["Subject"] == "【新昌县科学技术局】测试提醒"
    text = text_of(message)
    assert text.startswith("李科员：\n\n第一段。\n第二段。\n") and "1. 甲公司\n2. 乙公司" in text


def test_without_a_mail_server_messages_become_eml_files(app, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path / "mail"))
    queue_email([("王科员", "officer@example.com")], "演示邮件", "中文正文", bcc=["hidden@example.com"], now=NOW)
    db.session.commit()
    assert deliver(app).sent == 1
    (path,) = (tmp_path / "mail").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert message["Subject"] == "演示邮件" and message["Bcc"] == "hidden@example.com"
    assert text_of(message) == "中文正文\n"
    assert "中文正文" in path.read_text(encoding="utf-8")  # 8bit: readable in a text editor
    assert outbox(db)[0].status is MessageStatus.SENT
    assert deliver(app, NOW + timedelta(minutes=5)).sent == 0
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_server_down_for_a_while_then_up_delivers_every_message_exactly_once(app, db, monkeypatch):
    server = SmtpServer()  # not started: connections are refused
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    queue_some(db, 3)
    report = deliver(app)
    assert (report.sent, report.retrying) == (0, 3)
    rows = outbox(db)
    assert {(r.status, r.attempts, r.next_attempt_at) for r in rows} == {
        (MessageStatus.QUEUED, 1, NOW + timedelta(seconds=60))}
    assert "连接邮件服务器" in rows[0].last_error
    assert deliver(app, NOW + timedelta(seconds=30)).retrying == 0  # not due yet: nothing tried
    deliver(app, NOW + timedelta(seconds=61))
    assert {(r.attempts, r.next_attempt_at) for r in outbox(db)} == {(2, NOW + timedelta(seconds=181))}
    server.start()
    try:
        assert deliver(app, NOW + timedelta(minutes=10)).sent == 3
        assert deliver(app, NOW + timedelta(minutes=20)).sent == 0
        assert deliver(app, NOW + timedelta(hours=5), force=True).sent == 0
        assert sorted(m["Subject"] for m in server.messages) == ["测试邮件 0", "测试邮件 1", "测试邮件 2"]
        assert {r.status for r in outbox(db)} == {MessageStatus.SENT}
    finally:
        server.stop()


def test_a_4xx_answer_is_retried_with_backoff_then_failed_after_the_give_up_time(app, db, smtp_server):
    smtp_server.recorder.data_reply = "451 4.3.0 Mailbox temporarily unavailable"
    queue_some(db)
    delays, now = [], NOW
    for _ in range(4):
        deliver(app, now)
        (row,) = outbox(db)
        delays.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert delays == [timedelta(seconds=s) for s in (60, 120, 240, 480)]
    assert row.status is MessageStatus.QUEUED and "451" in row.last_error
    deliver(app, NOW + timedelta(hours=48))
    (row,) = outbox(db)
    assert row.status is MessageStatus.FAILED
    assert "451 4.3.0 Mailbox temporarily unavailable" in row.last_error and "放弃" in row.last_error
    assert smtp_server.envelopes == []


def test_backoff_stops_growing_at_an_hour(app, db, smtp_server):
    smtp_server.recorder.data_reply = "421 4.7.0 Try again later"
    queue_some(db)
    for hours in range(1, 14):
        deliver(app, NOW + timedelta(hours=hours), force=True)
    (row,) = outbox(db)
    assert row.attempts == 13 and row.next_attempt_at - row.last_attempt_at == timedelta(hours=1)


def test_a_5xx_answer_fails_at_once_with_the_error(app, db, smtp_server):
    smtp_server.recorder.data_reply = "554 5.7.1 Message rejected as spam"
    queue_some(db)
    assert deliver(app).failed == 1
    (row,) = outbox(db)
    assert row.status is MessageStatus.FAILED and row.last_error == "554 5.7.1 Message rejected as spam"
    assert deliver(app, NOW + timedelta(days=1)).failed == 0


def test_a_refused_recipient_does_not_stop_the_others(app, db, smtp_server):
    smtp_server.recorder.rcpt_replies["gone@example.com"] = "550 5.1.1 No such user"
    queue_email(["ok@example.com", "gone@example.com"], "部分收件人", "正文", now=NOW)
    db.session.commit()
    assert deliver(app).sent == 1
    assert smtp_server.envelopes[0].rcpt_tos == ["ok@example.com"]
    (row,) = outbox(db)
    assert "gone@example.com: 550 5.1.1 No such user" in row.last_error


def test_every_recipient_busy_is_retried_and_every_recipient_unknown_fails(app, db, smtp_server):
    smtp_server.recorder.rcpt_replies.update({"busy@example.com": "452 4.2.2 Mailbox full",
                                              "gone@example.com": "550 5.1.1 No such user"})
    queue_email(["busy@example.com"], "忙", "正文", now=NOW)
    queue_email(["gone@example.com"], "无此人", "正文", now=NOW)
    db.session.commit()
    deliver(app)
    busy, gone = outbox(db)
    assert (busy.status, gone.status) == (MessageStatus.QUEUED, MessageStatus.FAILED)
    assert "452" in busy.last_error and "550" in gone.last_error


def test_two_senders_at_once_send_each_message_once(app, db, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 3)
    queue_some(db, 24)
    reports = run_at_once(lambda: deliver(app))
    assert sum(r.sent for r in reports) == 24
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert len(subjects) == 24 and len(set(subjects)) == 24


def test_a_silent_server_times_out_instead_of_blocking(app, db, monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts connections (the kernel does) but never says a word
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", listener.getsockname()[1])
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 0.3)
    queue_some(db)
    started = datetime.now(UTC)
    try:
        assert deliver(app).retrying == 1
    finally:
        listener.close()
    assert datetime.now(UTC) - started < timedelta(seconds=5)
    assert "规定时间内没有响应" in outbox(db)[0].last_error


def test_a_message_whose_sender_died_mid_send_is_failed_not_sent_again(app, db, smtp_server):
    queue_some(db)
    (row,) = outbox(db)
    row.status, row.claimed_at, row.claim_token = MessageStatus.SENDING, NOW - timedelta(hours=2), "dead"
    db.session.commit()
    assert deliver(app).failed == 1
    (row,) = outbox(db)
    assert row.status is MessageStatus.FAILED and "无法确认" in row.last_error
    assert smtp_server.envelopes == []


def test_a_dedup_key_queues_a_message_once(app, db):
    first = queue_email(["a@example.com"], "一次", "正文", dedup_key="report:2026-11", now=NOW)
    second = queue_email(["a@example.com"], "一次", "正文", dedup_key="report:2026-11", now=NOW)
    db.session.commit()
    assert first.id == second.id and len(outbox(db)) == 1


def test_a_bad_address_or_no_recipient_is_refused(app, db):
    with pytest.raises(ValueError, match="不是有效的邮件地址"):
        queue_email(["not an address"], "主题", "正文")
    with pytest.raises(ValueError, match="没有收件人"):
        queue_email([], "主题", "正文")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_and_login(app, db, monkeypatch, certificate, mode):
    server = SmtpServer(tls=mode, cert=certificate).start()
    settings = dict(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=mode == "starttls",
                    MAIL_USE_SSL=mode == "ssl", MAIL_USERNAME=USERNAME, MAIL_PASSWORD="wrong",
                    MAIL_CA_FILE=str(certificate[0]))
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    try:
        queue_some(db)
        assert deliver(app).retrying == 1  # a refused login is the server's setting, not the message's fault
        assert "535" in outbox(db)[0].last_error
        monkeypatch.setitem(app.config, "MAIL_PASSWORD", PASSWORD)
        assert deliver(app, NOW + timedelta(minutes=2)).sent == 1
        assert server.messages[0]["Subject"] == "测试邮件 0"
    finally:
        server.stop()


def test_an_untrusted_certificate_is_not_accepted(app, db, monkeypatch, certificate):
    server = SmtpServer(tls="ssl", cert=certificate).start()
    for key, value in dict(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_SSL=True,
                           MAIL_USERNAME=USERNAME, MAIL_PASSWORD=PASSWORD, MAIL_CA_FILE="").items():
        monkeypatch.setitem(app.config, key, value)
    try:
        queue_some(db)
        assert deliver(app).retrying == 1
        assert "CERTIFICATE_VERIFY_FAILED" in outbox(db)[0].last_error
    finally:
        server.stop()
