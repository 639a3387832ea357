"""The officer's "done" marks on the workbench: a mark hides its to-do until the thing happens again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.db import Base, UTCDateTime, utcnow


class WorkbenchDone(Base):
    """A to-do (kind, ref_id) the user marked done at done_at; the to-do shows again when its thing is newer (a new
    submission, a later activity, another deadline)."""

    __tablename__ = "workbench_done"
    __table_args__ = (UniqueConstraint("user_id", "kind", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
