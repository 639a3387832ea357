"""Read-side of the channels: which exist, who chose what, and the delivery log of the admin's outbox page."""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select

from pipeline.channels.models import ChannelMessage, ChannelSwitch, NoticeChoice, NoticeDefault, UserMobile
from pipeline.domain.channels import PERSONAL_CHANNELS, SENT_BY_OUTBOX, Channel, chosen
from pipeline.extensions import db
from pipeline.mail.models import MessageStatus

PAGE_SIZE = 50


def enabled_channels(settings) -> set[Channel]:
    """Email and in-app always; SMS and the robots when the admin switched them on and their settings exist."""
    switched = set(db.session.scalars(select(ChannelSwitch.channel).where(ChannelSwitch.enabled.is_(True))))
    return {Channel.EMAIL, Channel.INAPP} | {c for c in SENT_BY_OUTBOX if c.value in switched and settings.configured(c)}


def notice_defaults() -> dict[str, dict[str, bool]]:
    """{kind: {channel: on}} as the admin set them."""
    defaults: dict[str, dict[str, bool]] = {}
    for row in db.session.scalars(select(NoticeDefault)):
        defaults.setdefault(row.kind, {})[row.channel] = row.enabled
    return defaults


def user_choices(user_id: int) -> dict[str, dict[str, bool]]:
    """One user's choices: {kind: {channel: on}}."""
    return choices_by_user(NoticeChoice.user_id == user_id).get(user_id, {})


def choices_by_user(*where) -> dict[int, dict[str, dict[str, bool]]]:
    """{user id: {kind: {channel: on}}} of every user who chose anything (or of those `where` picks): a few rows per
    user, read in one query for a whole reminder day."""
    choices: dict[int, dict[str, dict[str, bool]]] = {}
    for row in db.session.scalars(select(NoticeChoice).where(*where)):
        choices.setdefault(row.user_id, {}).setdefault(row.kind, {})[row.channel] = row.enabled
    return choices


def channels_for(choices: dict[str, dict[str, bool]], kind: str, enabled: set[Channel],
                 defaults: dict[str, dict[str, bool]]) -> set[str]:
    """The personal channels on which a user with these choices (user_choices()) gets this kind of notice
    (defaults: notice_defaults())."""
    available = [c.value for c in PERSONAL_CHANNELS if c in enabled]
    return chosen(choices.get(kind, {}), defaults.get(kind, {}), available)


def mobiles_by_user() -> dict[int, str]:
    """{user id: mobile} of every user who gave one (a few thousand at most: the staff and the firms' users)."""
    return dict(db.session.execute(select(UserMobile.user_id, UserMobile.mobile)).all())


def active_users_by_firm() -> dict[int, list]:
    """{firm id: its active users} for every firm that has any."""
    from pipeline.auth.models import User

    users: dict[int, list] = {}
    for user in db.session.scalars(select(User).where(User.firm_id.is_not(None), User.active.is_(True))
                                   .order_by(User.id)):
        users.setdefault(user.firm_id, []).append(user)
    return users


def mobile_of(user_id: int) -> str:
    row = db.session.get(UserMobile, user_id)
    return row.mobile if row else ""


def get_channel_message_or_404(message_id: int) -> ChannelMessage:
    message = db.session.get(ChannelMessage, message_id)
    if message is None:
        abort(404)
    return message


def list_channel_messages(channel: Channel | None, status: MessageStatus | None,
                          page: int) -> tuple[list[ChannelMessage], bool]:
    """One page of the delivery log, newest first, and whether there is a next page."""
    stmt = select(ChannelMessage).order_by(ChannelMessage.created_at.desc(), ChannelMessage.id.desc())
    if channel is not None:
        stmt = stmt.where(ChannelMessage.channel == channel.value)
    if status is not None:
        stmt = stmt.where(ChannelMessage.status == status)
    rows = list(db.session.scalars(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def count_channel_messages() -> dict[str, dict[MessageStatus, int]]:
    """{channel: {status: count}} for the outbox page's per-channel summary."""
    counts: dict[str, dict[MessageStatus, int]] = {c.value: {} for c in SENT_BY_OUTBOX}
    rows = db.session.execute(select(ChannelMessage.channel, ChannelMessage.status, func.count())
                              .group_by(ChannelMessage.channel, ChannelMessage.status))
    for channel, status, count in rows:
        counts.setdefault(channel, {})[status] = count
    return counts
