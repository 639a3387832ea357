"""A grid form: one optional whole number per track and scope (the county, then each town)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp

from pipeline.forms import Form

NUMBER = Regexp(r"^\d{1,6}$", message=_l("请输入 0 到 999999 之间的整数，或留空表示不设目标。"))
NOTE = Length(max=100, message=_l("说明最多 100 个字。"))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def field_name(track_id: int, town_id: int | None) -> str:
    return f"t_{track_id}_{town_id or 0}"


def baseline_name(track_id: int, note: bool = False) -> str:
    return f"{'bn' if note else 'b'}_{track_id}"


def target_form(tracks, town_ids: list[int | None], current: dict, baselines: dict | None = None,
                **kwargs) -> Form:
    """Build the form for these tracks and scopes, filled with the current targets and each track's baseline."""

    class TargetForm(Form):
        pass

    for track in tracks:
        for town_id in town_ids:
            setattr(TargetForm, field_name(track.id, town_id),
                    StringField(track.short_name, filters=[_strip], validators=[Optional(), NUMBER]))
        setattr(TargetForm, baseline_name(track.id), StringField(track.short_name, filters=[_strip],
                                                                 validators=[Optional(), NUMBER]))
        setattr(TargetForm, baseline_name(track.id, note=True), StringField(track.short_name, filters=[_strip],
                                                                            validators=[NOTE]))
    data = {field_name(track_id, town_id): str(value) for (track_id, town_id), value in current.items()}
    for track_id, (value, note) in (baselines or {}).items():
        data[baseline_name(track_id)], data[baseline_name(track_id, note=True)] = str(value), note
    return TargetForm(data=data, **kwargs)


def baseline_values(form, tracks) -> dict[int, tuple[int | None, str]]:
    """The submitted baselines: track_id → (number or None where left empty, what it counts)."""
    values = {}
    for track in tracks:
        raw = form[baseline_name(track.id)].data
        values[track.id] = (int(raw) if raw not in (None, "") else None,
                            form[baseline_name(track.id, note=True)].data or "")
    return values


def form_values(form, tracks, town_ids: list[int | None]) -> dict[tuple[int, int | None], int | None]:
    """The submitted targets: (track_id, town_id) → number, or None where the field was left empty."""
    values = {}
    for track in tracks:
        for town_id in town_ids:
            raw = form[field_name(track.id, town_id)].data
            values[(track.id, town_id)] = int(raw) if raw not in (None, "") else None
    return values
