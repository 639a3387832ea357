"""Admin changes to the funnel's configuration. Flush, never commit."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import or_, select

from pipeline.auth.models import Role, User
from pipeline.extensions import db
from pipeline.firms.models import Town
from pipeline.funnel.models import Track

CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
VALIDITY_RULES = ("years", "calendar_year", "none")


class SettingsError(ValueError):
    """Bad settings (Chinese message); `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def save_track(track: Track | None, values: dict) -> Track:
    """Add a track (track None) or change one; its code never changes once made."""
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    if track is None and not CODE.match(values.get("code") or ""):
        raise SettingsError(_("代码须以小写字母开头，只含小写字母、数字和下划线（2–32 位）。"), "code")
    if track is not None:
        values.pop("code", None)
    _check_unique(track, values)
    _check_rule(values)
    track = track or Track(code=values["code"])
    for name in ("name", "name_en", "short_name", "validity_rule", "validity_years", "number_pattern",
                 "number_hint", "sort_order", "active"):
        if name in values:
            setattr(track, name, values[name])
    db.session.add(track)
    db.session.flush()
    return track


def _check_unique(track: Track | None, values: dict) -> None:
    clashes = select(Track).where(or_(Track.name == values.get("name"), Track.code == values.get("code"),
                                      Track.short_name == values.get("short_name")))
    for other in db.session.scalars(clashes):
        if track is None or other.id != track.id:
            field = "code" if other.code == values.get("code") else \
                "name" if other.name == values.get("name") else "short_name"
            raise SettingsError(_("已有相同名称、简称或代码的培育类别。"), field)


def _check_rule(values: dict) -> None:
    if values.get("validity_rule") not in VALIDITY_RULES:
        raise SettingsError(_("请选择有效期规则。"), "validity_rule")
    if values["validity_rule"] == "years" and not values.get("validity_years"):
        raise SettingsError(_("按年计算有效期时须填写有效年数。"), "validity_years")
    if values["validity_rule"] != "years":
        values["validity_years"] = None
    pattern = values.get("number_pattern") or ""
    try:
        re.compile(pattern.replace("{year}", "2026"))
    except re.error:
        raise SettingsError(_("编号规则不是有效的正则表达式。"), "number_pattern") from None


def set_officer_towns(user: User, town_ids: list[int]) -> None:
    """Limit an officer to some towns (none: every town)."""
    if user.role is not Role.OFFICER:
        raise SettingsError(_("只能为科技专员设置负责乡镇。"))
    user.towns = list(db.session.scalars(select(Town).where(Town.id.in_(town_ids)))) if town_ids else []
    db.session.flush()
