"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1, on a port of its own, that records what it accepts.

It can be stopped and started again on the same port (the mail server is 'down' in between), answer 4xx/5xx, or
require STARTTLS (or implicit TLS) and a login, with a self-signed certificate made by openssl."""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
import threading
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME, PASSWORD = "kjj-robot", "smtp-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is also the CA file the client trusts)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


class Recorder:
    """The aiosmtpd handler: keeps accepted messages; answers what a test tells it to."""

    def __init__(self):
        self.lock = threading.Lock()
        self.envelopes = []
        self.data_reply: str | None = None  # e.g. "451 4.3.0 稍后再试" or "550 5.7.1 拒收"
        self.rcpt_replies: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        with self.lock:
            self.envelopes.append(envelope)
        return "250 2.0.0 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USERNAME.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


class SmtpServer:
    def __init__(self, port: int | None = None, *, tls: str = "", cert: tuple[Path, Path] | None = None):
        self.port = port or free_port()
        self.recorder = Recorder()
        self.tls, self.cert = tls, cert  # tls: "" (plain), "starttls" or "ssl"
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        kwargs = {}
        if self.tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, self.cert))
            kwargs = dict(authenticator=_authenticate, auth_required=True)
            if self.tls == "ssl":
                # The whole link is TLS, which aiosmtpd cannot tell: it offers AUTH without insisting on it here.
                kwargs.update(ssl_context=context, auth_required=False, auth_require_tls=False)
            else:
                kwargs.update(tls_context=context, require_starttls=True)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def envelopes(self):
        with self.recorder.lock:
            return list(self.recorder.envelopes)

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(e.content, policy=default) for e in self.envelopes]
