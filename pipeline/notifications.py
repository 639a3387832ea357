"""What other features call to send mail. Everything goes through the durable outbox (pipeline/mail/).

    queue_email(to, subject, text, html=..., cc=..., bcc=..., attachments=[Attachment(...)], dedup_key=...)
    queue_template_email("name", to, context={...}, ...)   # templates/emails/name.txt|.html, in Chinese
    render_email("name", **context) -> RenderedEmail(subject, text, html)

Both queue functions add a row in the caller's transaction and flush: the mail leaves only when the caller
commits, and not at all after a rollback. The scheduler's sender job (or `flask mail send`) delivers it."""

from pipeline.mail.compose import RenderedEmail, external_url, render_email
from pipeline.mail.outbox import Attachment, queue_email, queue_template_email

__all__ = ["Attachment", "RenderedEmail", "external_url", "queue_email", "queue_template_email", "render_email"]
