"""The authority tree and the column that ties a row to its county."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from pipeline.db import Base


class AuthorityLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class Authority(Base):
    """A 科技局 at one level. The county is the unit of isolation: its towns, officers, firms, targets and
    numbering. The levels above only read roll-ups of the counties below them."""

    __tablename__ = "authority"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(50))  # 新昌县
    code: Mapped[str | None] = mapped_column(String(12), unique=True)  # 行政区划代码, e.g. 330624
    bureau_name: Mapped[str] = mapped_column(String(100), default="", server_default="")  # 新昌县科学技术局
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


def default_county_id(context=None) -> int:
    """The county of a new row that names none: its firm's when the row names a firm, else the scope's one county
    (scope.py)."""
    from pipeline.tenancy.scope import county_for_new_rows

    if context is None:
        return county_for_new_rows()
    return county_for_new_rows(context.connection, context.get_current_parameters().get("firm_id"))


def optional_county_id(context=None) -> int | None:
    """As default_county_id, but None where the scope names no single county (an audit event of a failed login)."""
    from pipeline.tenancy.scope import NoCountyError

    try:
        return default_county_id(context)
    except NoCountyError:
        return None


class CountyOwned:
    """Mixin: the row belongs to one county. A plain integer without a foreign key: counties are never deleted
    (they are archived), and on SQLite a column added with a REFERENCES clause cannot have a default."""

    @declared_attr
    def county_id(cls) -> Mapped[int]:  # noqa: N805 (declared_attr is a class method in disguise)
        return mapped_column(Integer, default=default_county_id, nullable=False)


class OptionalCountyOwned(CountyOwned):
    """Mixin: the row belongs to one county, or to none (then only the system scope sees it)."""

    @declared_attr
    def county_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(Integer, default=optional_county_id, nullable=True, index=True)
