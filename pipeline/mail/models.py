"""The durable outbox: every email is a row first, written in the transaction of the change that caused it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.domain.text import N_
from pipeline.tenancy.models import CountyOwned


class MessageStatus(StrEnum):
    QUEUED = "queued"  # waiting for its next attempt
    SENDING = "sending"  # claimed by one sender; no other sender touches it
    SENT = "sent"  # the server accepted it (or the .eml file was written)
    FAILED = "failed"  # given up; an admin may retry


STATUS_LABELS = {
    MessageStatus.QUEUED: N_("待发送"),
    MessageStatus.SENDING: N_("发送中"),
    MessageStatus.SENT: N_("已发送"),
    MessageStatus.FAILED: N_("发送失败"),
}


class OutboxMessage(CountyOwned, Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_message_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str] = mapped_column(String(50), default="")  # which kind of mail, for the admin's overview
    sender: Mapped[str] = mapped_column(String(320))
    # Recipients as [display name, address] pairs; Bcc never appears in the sent headers.
    to: Mapped[list] = mapped_column(JSON, default=list)
    cc: Mapped[list] = mapped_column(JSON, default=list)
    bcc: Mapped[list] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(500))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    # Fixed when queued, so that a message sent again after an unclear outcome carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[MessageStatus] = mapped_column(
        Enum(MessageStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=MessageStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the give-up clock starts here
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments = relationship("OutboxAttachment", cascade="all, delete-orphan", order_by="OutboxAttachment.id",
                               back_populates="message")

    @property
    def recipients(self) -> list[str]:
        """Every envelope recipient: To, Cc and Bcc, each address once."""
        seen: dict[str, None] = {}
        for _, address in [*self.to, *self.cc, *self.bcc]:
            seen.setdefault(address, None)
        return list(seen)


class OutboxAttachment(Base):
    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    message = relationship("OutboxMessage", back_populates="attachments")
