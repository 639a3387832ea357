"""How a message leaves: over SMTP (with a timeout on every connection) or, without a server, as an .eml file."""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path

from pipeline.mail.compose import build_mime
from pipeline.mail.models import OutboxMessage


class DeliveryError(Exception):
    """Base of the outcomes that are not 'accepted'."""


class TryLater(DeliveryError):
    """The server is unreachable or answered 4xx: nothing was accepted; try again after a pause."""


class ConnectionLost(TryLater):
    """The connection broke before the message was handed over; the rest of the batch waits too."""


class Refused(DeliveryError):
    """The server answered 5xx: sending the same message again would be refused again."""


class OutcomeUnknown(DeliveryError):
    """The message was handed over but no answer came: it may have been accepted, so it is not sent again."""


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str
    password: str
    timeout: float
    give_up_hours: float
    retry_seconds: float
    batch_size: int
    file_dir: str
    ca_file: str

    @classmethod
    def from_config(cls, config) -> MailSettings:
        return cls(server=config["MAIL_SERVER"], port=config["MAIL_PORT"], use_tls=config["MAIL_USE_TLS"],
                   use_ssl=config["MAIL_USE_SSL"], username=config["MAIL_USERNAME"],
                   password=config["MAIL_PASSWORD"], timeout=config["MAIL_TIMEOUT"],
                   give_up_hours=config["MAIL_GIVE_UP_HOURS"], retry_seconds=config["MAIL_RETRY_SECONDS"],
                   batch_size=config["MAIL_BATCH_SIZE"], file_dir=config["MAIL_FILE_DIR"],
                   ca_file=config["MAIL_CA_FILE"])


def describe(exc: BaseException) -> str:
    """A one-line error for the admin: the SMTP code and text, or the network error."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {' '.join(text.split())}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {describe(smtplib.SMTPResponseException(code, reply))}"
                         for rcpt, (code, reply) in exc.recipients.items())
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return f"{type(exc).__name__}: 邮件服务器在规定时间内没有响应"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _by_code(code: int, exc: BaseException) -> DeliveryError:
    return TryLater(describe(exc)) if 400 <= code < 500 else Refused(describe(exc))


class SmtpTransport:
    """One SMTP session for a batch of messages."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.conn: smtplib.SMTP | None = None

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file or None)

    def open(self) -> None:
        """Connect, STARTTLS and log in as configured; any failure means 'try later' for the whole batch."""
        s = self.settings
        try:
            if s.use_ssl:
                self.conn = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout, context=self._tls_context())
            else:
                self.conn = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
            self.conn.ehlo()
            if s.use_tls:
                self.conn.starttls(context=self._tls_context())
                self.conn.ehlo()
            if s.username:
                self.conn.login(s.username, s.password)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TryLater(f"连接邮件服务器 {s.server}:{s.port} 失败：{describe(exc)}") from exc

    def send(self, message: OutboxMessage, now: datetime) -> dict[str, str]:
        """Hand one message over; return the recipients the server refused while it accepted the others."""
        payload = build_mime(message, now=now).as_bytes()
        envelope_from = parseaddr(message.sender)[1]
        try:
            refused = self._envelope(envelope_from, message.recipients)
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise _by_code(exc.smtp_code, exc) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            codes = [code for code, _ in exc.recipients.values()]
            raise (TryLater if any(400 <= c < 500 for c in codes) else Refused)(describe(exc)) from exc
        except OSError as exc:  # includes SMTPServerDisconnected and timeouts
            raise ConnectionLost(describe(exc)) from exc
        self._data(payload)
        return {rcpt: describe(smtplib.SMTPResponseException(code, reply)) for rcpt, (code, reply) in refused.items()}

    def _envelope(self, envelope_from: str, recipients: list[str]) -> dict:
        code, reply = self.conn.mail(envelope_from)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, envelope_from)
        refused = {}
        for rcpt in recipients:
            code, reply = self.conn.rcpt(rcpt)
            if code not in (250, 251):
                refused[rcpt] = (code, reply)
        if len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused)
        return refused

    def _data(self, payload: bytes) -> None:
        """DATA, split so that we know whether the server could have accepted the message when the line broke."""
        try:
            code, reply = self.conn.docmd("data")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            body = re.sub(rb"(?m)^\.", b"..", payload)
            self.conn.send(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise _by_code(exc.smtp_code, exc) from exc
        except OSError as exc:  # the final dot never arrived: the server cannot have accepted the message
            raise ConnectionLost(describe(exc)) from exc
        try:
            code, reply = self.conn.getreply()
        except OSError as exc:
            raise OutcomeUnknown(f"已发出邮件内容，但未收到服务器确认：{describe(exc)}") from exc
        if code != 250:
            self._reset()
            raise _by_code(code, smtplib.SMTPDataError(code, reply))

    def _reset(self) -> None:
        try:
            self.conn.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.quit()
        except (OSError, smtplib.SMTPException):
            self.conn.close()
        self.conn = None


class FileTransport:
    """Demo and development: write each message to MAIL_FILE_DIR as an .eml file that a mail client opens."""

    def __init__(self, settings: MailSettings):
        self.folder = Path(settings.file_dir)

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TryLater(f"无法创建邮件目录 {self.folder}：{exc}") from exc

    def send(self, message: OutboxMessage, now: datetime) -> dict[str, str]:
        mime = build_mime(message, now=now, include_bcc=True, transfer_encoding="8bit")
        target = self.folder / f"{message.created_at:%Y%m%d-%H%M%S}-{message.id:06d}.eml"
        partial = target.with_suffix(".eml.part")
        try:
            partial.write_bytes(mime.as_bytes())
            os.replace(partial, target)  # a reader never sees half a file
        except OSError as exc:
            raise TryLater(f"无法写入 {target}：{exc}") from exc
        return {}

    def close(self) -> None:
        pass


def make_transport(settings: MailSettings):
    return SmtpTransport(settings) if settings.server else FileTransport(settings)
