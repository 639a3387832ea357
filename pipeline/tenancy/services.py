"""Adding authorities, and what each county shows as its own: its bureau's name on PDFs and mails."""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select

from pipeline.extensions import db
from pipeline.tenancy.models import Authority, AuthorityLevel
from pipeline.tenancy.scope import authority_tree, current_scope

CODE = re.compile(r"\d{6}")  # 行政区划代码 (GB/T 2260): 6 digits
PARENT_LEVELS = {AuthorityLevel.PROVINCE: (), AuthorityLevel.CITY: (AuthorityLevel.PROVINCE,),
                 AuthorityLevel.COUNTY: (AuthorityLevel.CITY, AuthorityLevel.PROVINCE)}


class AuthorityError(ValueError):
    pass


def add_authority(level: str, name: str, *, code: str | None = None, parent_id: int | None = None,
                  bureau_name: str = "") -> Authority:
    """A new province, city or county. A county added beside another needs its 行政区划代码: it prefixes the
    county's pool numbers, which must not clash with the first county's."""
    try:
        level = AuthorityLevel(level)
    except ValueError:
        raise AuthorityError("级别须为 province、city 或 county。") from None
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise AuthorityError("请填写名称（50 字以内）。")
    code = (code or "").strip() or None
    if code is not None and not CODE.fullmatch(code):
        raise AuthorityError("行政区划代码应为 6 位数字。")
    if code is not None and db.session.scalar(select(Authority.id).where(Authority.code == code)):
        raise AuthorityError(f"行政区划代码 {code} 已被使用。")
    parent = db.session.get(Authority, parent_id) if parent_id is not None else None
    if parent_id is not None and parent is None:
        raise AuthorityError("上级单位不存在。")
    if parent is not None and AuthorityLevel(parent.level) not in PARENT_LEVELS[level]:
        raise AuthorityError("上级单位的级别不对：县级的上级须为市或省，市级的上级须为省。")
    if level is AuthorityLevel.COUNTY and code is None and county_count() >= 1:
        raise AuthorityError("已有区县时，新增区县须填写行政区划代码（用作入库编号前缀）。")
    authority = Authority(level=level.value, name=name, code=code, parent_id=parent_id,
                          bureau_name=(bureau_name or "").strip())
    db.session.add(authority)
    db.session.flush()
    if level is AuthorityLevel.COUNTY:
        # Imported here: the reminders build on tenancy, not the reverse.
        from pipeline.reminders.defaults import seed_county_settings

        seed_county_settings(authority.id)
    return authority


def county_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Authority).where(Authority.level == "county"))


def find_authority(key: str) -> Authority | None:
    """An authority by its id or its 行政区划代码."""
    key = (key or "").strip()
    if key.isdigit() and len(key) < 6:
        return db.session.get(Authority, int(key))
    return db.session.scalar(select(Authority).where(Authority.code == key))


def bureau_name(county_id: int | None = None) -> str:
    """The issuing authority's name on PDFs and mails: the county's own when it has one, else PIPELINE_AUTHORITY_NAME
    (a one-county installation keeps its setting)."""
    if county_id is None:
        scope = current_scope()
        county_id = next(iter(scope.county_ids)) if len(scope.county_ids) == 1 else None
    node = authority_tree(db.session).get(county_id) if county_id is not None else None
    return (node and node.bureau_name) or current_app.config["PIPELINE_AUTHORITY_NAME"]
