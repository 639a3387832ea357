"""The admin's user list: search, filters and paging."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from pipeline.auth.models import Role, User, user_town
from pipeline.extensions import db
from pipeline.firms.models import Firm

PAGE_SIZE = 50


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: Role | None = None
    town_id: int | None = None
    active: bool | None = None
    two_factor: bool | None = None


def list_users(filters: UserFilters, page: int) -> tuple[list[User], bool]:
    """One page of users matching the filters, by username; and whether another page follows."""
    query = select(User).outerjoin(Firm, User.firm_id == Firm.id).options(selectinload(User.towns),
                                                                         selectinload(User.firm))
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(or_(func.lower(User.username).like(like), func.lower(User.display_name).like(like),
                                func.lower(User.email).like(like), func.lower(Firm.name).like(like),
                                Firm.credit_code == filters.q.upper()))
    if filters.role is not None:
        query = query.where(User.role == filters.role)
    if filters.town_id is not None:
        in_town = exists().where(user_town.c.user_id == User.id, user_town.c.town_id == filters.town_id)
        query = query.where(or_(in_town, Firm.town_id == filters.town_id))
    if filters.active is not None:
        query = query.where(User.active.is_(filters.active))
    if filters.two_factor is not None:
        query = query.where(User.totp_secret.is_not(None) if filters.two_factor else User.totp_secret.is_(None))
    rows = list(db.session.scalars(query.order_by(User.username).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user
