"""An uploaded Excel file between preview and confirmation, kept on the server (never in the cookie)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.db import Base, UTCDateTime, utcnow


class ImportBatch(Base):
    """The parsed rows of one upload (zlib-compressed JSON), owned by the user who uploaded it."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # 'firms' | 'results'
    filename: Mapped[str] = mapped_column(String(255), default="")
    options: Mapped[str] = mapped_column(Text, default="{}")  # JSON: track, list kind
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text, default="")  # what the confirmation changed, in words
