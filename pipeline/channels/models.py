"""Channels next to email (issue 22): the messages in their outbox, the admin's switches and the users' choices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.mail.models import MessageStatus
from pipeline.tenancy.models import CountyOwned


class ChannelMessage(CountyOwned, Base):
    """One message on one channel (SMS to a number, markdown to a group robot), sent once like an outbox email.

    `dedup_key` names the notice and the channel and the recipient, so a re-run or a second scheduler adds nothing;
    `provider_request_id` keeps the provider's id of the accepted request (Alibaba RequestId/BizId)."""

    __tablename__ = "channel_message"
    __table_args__ = (
        Index("ix_channel_message_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_channel_message_channel_recipient_sent_at", "channel", "recipient", "sent_at"),
        Index("ix_channel_message_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32), default="")  # the kind of notice (a reminder rule's code)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(100))  # a mobile number or a group robot's name
    recipient_label: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # markdown for robots; what the SMS says, for the log
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # SMS: template_code and the variables
    status: Mapped[MessageStatus] = mapped_column(
        Enum(MessageStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=MessageStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_request_id: Mapped[str] = mapped_column(String(100), default="")


class ChannelSwitch(Base):
    """Which channels exist in this county: the admin switches each on once its settings are in the environment."""

    __tablename__ = "channel_switch"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)


class NoticeDefault(Base):
    """The admin's default for a kind of notice on a personal channel, for everyone who has not chosen."""

    __tablename__ = "notice_default"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)


class NoticeChoice(Base):
    """A user's own choice for a kind of notice on a channel (overrides the default)."""

    __tablename__ = "notice_choice"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)


class UserMobile(Base):
    """A user's mobile number for SMS (validated mainland format, shown masked in lists)."""

    __tablename__ = "user_mobile"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    mobile: Mapped[str] = mapped_column(String(11))


class SmsTemplate(Base):
    """The Alibaba SMS template approved for a kind of notice (a reminder rule, the monthly report), and which
    {占位符} fill its variables."""

    __tablename__ = "sms_template"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    template_code: Mapped[str] = mapped_column(String(32), default="")  # SMS_123456789
    params: Mapped[str] = mapped_column(String(500), default="")  # name={企业名称}; date={到期日期}
