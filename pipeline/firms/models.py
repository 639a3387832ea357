"""The firm register: towns, industries, firms, the edit log and the service ledger."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from pipeline.db import Base, UTCDateTime, utcnow
from pipeline.domain.text import N_
from pipeline.firms.sort_key import name_sort_key
from pipeline.tenancy.models import CountyOwned


class Town(CountyOwned, Base):
    """A 乡镇/街道 of the county."""

    __tablename__ = "town"
    __table_args__ = (UniqueConstraint("county_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Industry(CountyOwned, Base):
    __tablename__ = "industry"
    __table_args__ = (UniqueConstraint("county_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Firm(CountyOwned, Base):
    __tablename__ = "firm"
    # The firm list's sorts by name and by town. The id at the end makes each the page's whole order, so that
    # PostgreSQL reads a deep page's ids from the index alone (SQLite's indexes end with the id anyway). The last
    # one serves the dashboard's counts by town and industry without reading firm rows. The list sorts names by
    # their pinyin key (ix_firm_name_sort_key_id).
    __table_args__ = (Index("ix_firm_name_id", "name", "id"), Index("ix_firm_town_id_name_id", "town_id", "name", "id"),
                      Index("ix_firm_id_town_id_industry_id", "id", "town_id", "industry_id"),
                      Index("ix_firm_name_sort_key_id", "name_sort_key", "id"),
                      Index("ix_firm_town_id_name_sort_key_id", "town_id", "name_sort_key", "id"),
                      # town + industry (the firm list's filters, the invitation preview): the pair's firms only,
                      # not every firm of the town (SQLite: 25 ms at 100,000 firms)
                      Index("ix_firm_town_id_industry_id_id", "town_id", "industry_id", "id"),
                      Index("ix_firm_county_id", "county_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码, upper case
    name: Mapped[str] = mapped_column(String(200))
    name_sort_key: Mapped[str] = mapped_column(String(255), default="", server_default="")  # pinyin order of the name (sort_key.py)
    town_id: Mapped[int] = mapped_column(ForeignKey("town.id"))  # indexed first in ix_firm_town_id_name_id
    industry_id: Mapped[int | None] = mapped_column(ForeignKey("industry.id"), index=True)
    registered_on: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(300), default="")
    legal_rep: Mapped[str] = mapped_column(String(50), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL", use_alter=True), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    town = relationship("Town", lazy="joined")
    industry = relationship("Industry", lazy="joined")
    officer = relationship("User", foreign_keys=[officer_id])

    @validates("name")
    def _keep_sort_key(self, _key: str, name: str) -> str:
        """Every name written through the ORM keeps its pinyin key; bulk inserts add it themselves."""
        self.name_sort_key = name_sort_key(name or "")
        return name


class FirmSearchGram(Base):
    """The firm list's text search index: every two-character piece of a firm's name (lower case) and every
    three-character piece of its credit code, so that a search term finds its few candidate firms without reading
    every name. Written by database triggers on firm (migration 0011), never by the application."""

    __tablename__ = "firm_search_gram"
    __table_args__ = ({"sqlite_with_rowid": False},)

    gram: Mapped[str] = mapped_column(String(3).with_variant(String(3, collation="C"), "postgresql"), primary_key=True)
    # No foreign key, no index by firm: only the triggers write this table and find a firm's grams again from its
    # old name and code; a key check or second index entry for each of a firm's ~27 grams doubled an import's inserts.
    firm_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class SearchPosition(Base):
    """The numbers 1…200 (firm.name's length): the triggers that cut names into grams join them to walk a name's
    characters (SQLite does not allow a recursive query in a trigger)."""

    __tablename__ = "search_position"

    n: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class FirmEdit(Base):
    """One changed field of a firm: who, when, old → new. Appended, never changed."""

    __tablename__ = "firm_edit"
    __table_args__ = (Index("ix_firm_edit_firm_id_at", "firm_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")

    user = relationship("User")


class ServiceKind(StrEnum):
    VISIT = "visit"  # 走访
    COACHING = "coaching"  # 辅导
    TRAINING = "training"  # 培训
    POLICY = "policy"  # 政策宣讲


SERVICE_KIND_LABELS = {
    ServiceKind.VISIT: N_("走访"),
    ServiceKind.COACHING: N_("辅导"),
    ServiceKind.TRAINING: N_("培训"),
    ServiceKind.POLICY: N_("政策宣讲"),
}


class ServiceRecord(Base):
    """服务台账: an officer's service to a firm. It resets the stale clock of the firm's records."""

    __tablename__ = "service_record"
    __table_args__ = (Index("ix_service_record_firm_id_served_on", "firm_id", "served_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"))
    served_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    officer = relationship("User")
