"""The audit log: one append-only row per security or administrative event (migration 0018's triggers refuse any
UPDATE or DELETE). It names users by id and by the name they had, without foreign keys: a row outlives the user,
and a firm's deletion (which takes its users with it) must not touch the log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.domain.text import N_
from pipeline.tenancy.models import OptionalCountyOwned


class AuditKind(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    PASSWORD_SET = "password_set"  # noqa: S105  # from an invitation
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105
    USER_CREATED = "user_created"
    USER_UPDATED = "user_updated"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    INVITATION_SENT = "invitation_sent"
    INVITATION_REVOKED = "invitation_revoked"
    TWO_FACTOR_ENABLED = "2fa_enabled"
    TWO_FACTOR_DISABLED = "2fa_disabled"
    TWO_FACTOR_FAILED = "2fa_failed"
    TWO_FACTOR_RESET = "2fa_reset"
    RECOVERY_CODE_USED = "recovery_code_used"
    SETTING_CHANGED = "setting_changed"
    REPORT_SENT = "report_sent"
    EXPORT = "export"
    DOCUMENT_UPLOADED = "document_uploaded"  # issue 20: a firm's document (details: firm, type, version, file)
    DOCUMENT_DOWNLOADED = "document_downloaded"
    API_CLIENT_CREATED = "api_client_created"  # issue 24 (details: client, token prefix, authority, scopes)
    API_CLIENT_REVOKED = "api_client_revoked"


AUDIT_LABELS = {
    AuditKind.LOGIN: N_("登录成功"),
    AuditKind.LOGIN_FAILED: N_("登录失败"),
    AuditKind.LOGIN_THROTTLED: N_("登录被限制"),
    AuditKind.LOGOUT: N_("退出登录"),
    AuditKind.PASSWORD_CHANGED: N_("修改密码"),
    AuditKind.PASSWORD_SET: N_("通过邀请设置密码"),
    AuditKind.PASSWORD_RESET_REQUESTED: N_("申请重置密码"),
    AuditKind.PASSWORD_RESET: N_("重置密码"),
    AuditKind.USER_CREATED: N_("创建用户"),
    AuditKind.USER_UPDATED: N_("修改用户"),
    AuditKind.USER_DISABLED: N_("停用用户"),
    AuditKind.USER_ENABLED: N_("启用用户"),
    AuditKind.INVITATION_SENT: N_("发送邀请"),
    AuditKind.INVITATION_REVOKED: N_("撤销邀请"),
    AuditKind.TWO_FACTOR_ENABLED: N_("启用两步验证"),
    AuditKind.TWO_FACTOR_DISABLED: N_("关闭两步验证"),
    AuditKind.TWO_FACTOR_FAILED: N_("两步验证码错误"),
    AuditKind.TWO_FACTOR_RESET: N_("管理员重置两步验证"),
    AuditKind.RECOVERY_CODE_USED: N_("使用恢复码"),
    AuditKind.SETTING_CHANGED: N_("修改设置"),
    AuditKind.REPORT_SENT: N_("发送月报"),
    AuditKind.EXPORT: N_("导出数据"),
    AuditKind.DOCUMENT_UPLOADED: N_("上传材料"),
    AuditKind.DOCUMENT_DOWNLOADED: N_("下载材料"),
    AuditKind.API_CLIENT_CREATED: N_("创建 API 客户端"),
    AuditKind.API_CLIENT_REVOKED: N_("吊销 API 客户端"),
}


class AuditEvent(OptionalCountyOwned, Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)  # who did it (None: the system, or nobody)
    actor_name: Mapped[str] = mapped_column(String(64), default="")  # the username then, or the name tried
    target_user_id: Mapped[int | None] = mapped_column(Integer, index=True)  # whose account it concerns
    target_name: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. {"role": ["officer", "admin"]}
