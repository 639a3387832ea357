"""Render an email from templates/emails/<name>.txt|.html, and turn an outbox row into a MIME message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app
from flask_babel import force_locale

from pipeline.mail.models import OutboxMessage
from pipeline.tenancy.services import bureau_name

EMAIL_LOCALE = "zh"  # messages go out in Chinese, whatever language the person who caused them uses


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(name: str, **context) -> RenderedEmail:
    """Render emails/<name>.txt (which sets `subject` at top level) and emails/<name>.html in Chinese."""
    env = current_app.jinja_env
    context.setdefault("authority", bureau_name())
    context.setdefault("site_url", current_app.config["PIPELINE_EXTERNAL_URL"])
    with force_locale(EMAIL_LOCALE):
        text_module = env.get_template(f"emails/{name}.txt").make_module(context)
        html = env.get_template(f"emails/{name}.html").render(context)
    subject = " ".join(str(getattr(text_module, "subject", "")).split())
    if not subject:
        raise ValueError(f"emails/{name}.txt must set a subject")
    return RenderedEmail(subject=subject, text=str(text_module).strip() + "\n", html=html)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail, built without a request (the scheduler has none)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PIPELINE_EXTERNAL_URL"] + path


def new_message_id(sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "pipeline.invalid"
    return make_msgid(domain=domain)


def _addresses(pairs: list) -> list[Address]:
    return [Address(display_name=name or "", addr_spec=address) for name, address in pairs]


def build_mime(message: OutboxMessage, *, now: datetime, include_bcc: bool = False,
               transfer_encoding: str = "base64") -> EmailMessage:
    """Build the MIME message: encoded Chinese headers, text plus HTML, attachments; Bcc only for .eml files."""
    mime = EmailMessage(policy=SMTP)
    name, address = parseaddr(message.sender)
    mime["From"] = Address(display_name=name, addr_spec=address)
    mime["To"] = _addresses(message.to) if message.to else "undisclosed-recipients:;"
    if message.cc:
        mime["Cc"] = _addresses(message.cc)
    if include_bcc and message.bcc:
        mime["Bcc"] = _addresses(message.bcc)
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(now)
    mime["Message-ID"] = message.message_id
    mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to the bureau's robot
    mime.set_content(message.text_body, charset="utf-8", cte=transfer_encoding)
    if message.html_body:
        mime.add_alternative(message.html_body, subtype="html", charset="utf-8", cte=transfer_encoding)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        mime.add_attachment(attachment.content, maintype=maintype, subtype=subtype or "octet-stream",
                            filename=attachment.filename)
    return mime
