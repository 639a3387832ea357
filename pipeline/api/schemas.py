"""The API's request and response models (pydantic): spectree validates with them and builds the OpenAPI document
from them. Times are ISO 8601 in UTC, dates ISO 8601, amounts decimal strings in 万元."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from pipeline.domain.periods import MAX_YEAR, MIN_YEAR

MAX_LIMIT = 200


class ErrorBody(BaseModel):
    error: str = Field(description="机器可读的错误代码，如 unauthorized、forbidden、bad_request、not_found、rate_limited")
    message: str = Field(description="中文说明")


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="每页条数（1–200）")
    # Optional, documented without "null": a query parameter is a string or absent.
    cursor: str = Field(None, max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="上一页返回的 next_cursor")
    updated_since: AwareDatetime = Field(
        None, description="只返回此时间之后（不含）变更的条目，ISO 8601，须带时区，如 2026-12-01T00:00:00+08:00")

    @field_validator("updated_since")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise ValueError("time out of range") from exc


class RecordQuery(ListQuery):
    track: str = Field(None, max_length=32, description="只返回该培育类别代码的记录，如 tech_sme、hnte")


class TargetsQuery(BaseModel):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR, description="年度，如 2026")


class Contact(BaseModel):
    name: str
    phone: str
    email: str


class FirmOut(BaseModel):
    id: int
    credit_code: str = Field(description="统一社会信用代码")
    name: str
    town: str
    industry: str | None
    registered_on: date | None
    address: str
    legal_rep: str
    created_at: datetime
    updated_at: datetime
    contact: Contact | None = Field(None, description="仅当客户端有 contacts 读取范围时返回")


class FirmPage(BaseModel):
    items: list[FirmOut]
    next_cursor: str | None = Field(description="下一页的游标；为 null 时已是最后一页")


class RecordOut(BaseModel):
    id: int
    firm_id: int
    credit_code: str
    track: str = Field(description="培育类别代码")
    track_name: str
    stage: str = Field(description="当前阶段代码：screening 遴选、pool 入库、cultivating 培育、certified 认定、paused 暂缓、failed 未通过、expired 已过期、removed 出库、recert_applying、recert_failed")
    stage_entered_at: datetime
    last_activity_at: datetime = Field(description="最近一次变更（阶段调整或服务）的时间，updated_since 按它筛选")
    pool_number: str | None
    certificate_number: str | None
    certified_on: date | None
    expires_on: date | None
    paused_until: date | None
    exit_reason: str | None
    level: str | None
    created_at: datetime


class RecordPage(BaseModel):
    items: list[RecordOut]
    next_cursor: str | None


class MoveOut(BaseModel):
    id: int
    record_id: int
    from_stage: str | None
    to_stage: str
    moved_at: datetime
    reason_code: str | None
    note: str
    skipped: bool
    certificate_number: str | None
    pool_number: str | None
    issued_on: date | None
    expires_on: date | None
    resume_on: date | None
    entry_class: str | None
    level: str | None


class MovePage(BaseModel):
    items: list[MoveOut]
    next_cursor: str | None


class FirmYearOut(BaseModel):
    id: int
    firm_id: int
    credit_code: str
    fiscal_year: int
    employees: int
    tech_staff: int
    sales: str
    cost_expense: str
    rd: str
    rd_domestic: str
    total_assets: str
    net_assets: str
    total_revenue: str
    high_tech_revenue: str
    status: str = Field(description="pending、confirmed 或 rejected")
    origin: str
    updated_at: datetime


class FirmYearPage(BaseModel):
    items: list[FirmYearOut]
    next_cursor: str | None


class FirmFactsOut(BaseModel):
    id: int
    firm_id: int
    credit_code: str
    ip_class_i: int
    ip_class_ii: int
    ip_acquired_only: bool
    hnte_domain: str | None
    conversions_3y: int | None
    valid_hnte: bool
    national_award_top3: bool
    provincial_rd_institution: bool
    led_standard: bool
    restricted_industry: bool
    major_incident: bool
    dishonest_list: bool
    status: str
    origin: str
    updated_at: datetime


class FirmFactsPage(BaseModel):
    items: list[FirmFactsOut]
    next_cursor: str | None


class CertificateOut(BaseModel):
    id: int
    firm_id: int
    credit_code: str
    record_id: int
    track: str
    kind: str
    number: str
    year: int
    issued_on: date
    status: str = Field(description="valid、superseded 或 revoked")
    issued_at: datetime
    superseded_at: datetime | None
    revoked_at: datetime | None
    changed_at: datetime = Field(description="最近一次变更（签发、换发或撤销）的时间，updated_since 按它筛选")
    firm_name: str = Field(description="证书上印的企业名称")


class CertificatePage(BaseModel):
    items: list[CertificateOut]
    next_cursor: str | None


class TrackStatus(BaseModel):
    track: str
    name: str
    target: int | None
    first_time: int = Field(description="新增")
    repeat: int = Field(description="重新认定")
    net_increase: int = Field(description="净增")
    valid_now: int
    baseline: int | None


class TargetsOut(BaseModel):
    year: int
    through: date | None = Field(description="统计截止日")
    tracks: list[TrackStatus]
