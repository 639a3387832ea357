"""The archive of monthly reports and the background renders that produce them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.domain.text import N_
from pipeline.tenancy.models import CountyOwned


class MonthlyReport(CountyOwned, Base):
    """One archived PDF per calendar month; re-rendering a month replaces the stored copy."""

    __tablename__ = "monthly_report"
    __table_args__ = (UniqueConstraint("county_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, the bureau's calendar; one report per county
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # lists never load the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_to: Mapped[int] = mapped_column(Integer, default=0)  # how many leader addresses the last mail went to

    def __str__(self) -> str:  # what the scheduler logs as the monthly job's result
        return f"{self.month_label}月报（{self.size:,} 字节，{'已发送' if self.sent_at else '未发送'}）"

    @property
    def month_label(self) -> str:
        year, month = self.month.split("-")
        return f"{year}年{int(month)}月"

    @property
    def filename(self) -> str:
        return f"{self.month_label}科技型企业梯队培育月报.pdf"


class RenderStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


RENDER_STATUS_LABELS = {RenderStatus.RUNNING: N_("生成中"), RenderStatus.DONE: N_("已完成"), RenderStatus.FAILED: N_("失败")}


class ReportRender(CountyOwned, Base):
    """A render started from the web page: the worker thread writes its progress here for the page to poll."""

    __tablename__ = "report_render"
    __table_args__ = (Index("ix_report_render_month_started_at", "month", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16), default=RenderStatus.RUNNING.value)
    step: Mapped[str] = mapped_column(String(100), default="")
    percent: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("monthly_report.id", ondelete="SET NULL"))

    requested_by = relationship("User")
    report = relationship("MonthlyReport")


class CityReport(Base):
    """The city edition of a month's report (issue 24): one archived PDF per city and month, summed over the city's
    counties' own reports. Keyed by the city, not by a county: no county owns it."""

    __tablename__ = "city_report"
    __table_args__ = (UniqueConstraint("authority_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"))
    month: Mapped[str] = mapped_column(String(7))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_to: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return f"{self.month_label}全市汇总月报（{self.size:,} 字节，{'已发送' if self.sent_at else '未发送'}）"

    month_label = MonthlyReport.month_label

    @property
    def filename(self) -> str:
        return f"{self.month_label}科技型企业梯队培育月报（全市汇总）.pdf"
