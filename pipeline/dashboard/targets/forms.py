"""A grid form: one optional whole number per track and scope (the county, then each town)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Optional, Regexp

NUMBER = Regexp(r"^\d{1,6}$", message=_l("请输入 0 到 999999 之间的整数，或留空表示不设目标。"))


def field_name(track_id: int, town_id: int | None) -> str:
    return f"t_{track_id}_{town_id or 0}"


def target_form(tracks, town_ids: list[int | None], current: dict, **kwargs) -> FlaskForm:
    """Build the form for these tracks and scopes, filled with the current targets."""

    class TargetForm(FlaskForm):
        pass

    for track in tracks:
        for town_id in town_ids:
            setattr(TargetForm, field_name(track.id, town_id),
                    StringField(track.short_name, filters=[lambda v: v.strip() if isinstance(v, str) else v],
                                validators=[Optional(), NUMBER]))
    data = {field_name(track_id, town_id): str(value) for (track_id, town_id), value in current.items()}
    return TargetForm(data=data, **kwargs)


def form_values(form, tracks, town_ids: list[int | None]) -> dict[tuple[int, int | None], int | None]:
    """The submitted targets: (track_id, town_id) → number, or None where the field was left empty."""
    values = {}
    for track in tracks:
        for town_id in town_ids:
            raw = form[field_name(track.id, town_id)].data
            values[(track.id, town_id)] = int(raw) if raw not in (None, "") else None
    return values
