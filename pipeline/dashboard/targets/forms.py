"""A grid form: one optional whole number per track and scope (the county, then each town)."""

from __future__ import annotations

from collections.abc import Collection

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp

from pipeline.forms import Form

NUMBER = Regexp(r"^\d{1,6}$", message=_l("请输入 0 到 999999 之间的整数，或留空表示不设目标。"))
NOTE = Length(max=100, message=_l("说明最多 100 个字。"))


def _town_ids(track_id: int, town_ids: list[int | None], locked: Collection[int]) -> list[int | None]:
    return [town_id for town_id in town_ids if town_id is not None or track_id not in locked]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def field_name(track_id: int, town_id: int | None) -> str:
    return f"t_{track_id}_{town_id or 0}"


def baseline_name(track_id: int, note: bool = False) -> str:
    return f"{'bn' if note else 'b'}_{track_id}"


def target_form(tracks, town_ids: list[int | None], current: dict, baselines: dict | None = None,
                locked: Collection[int] = (), **kwargs) -> Form:
    """Build the form for these tracks and scopes, filled with the current targets and each track's baseline. A
    track in `locked` has no county-wide field: its target was set by the city (issue 24)."""

    class TargetForm(Form):
        pass

    for track in tracks:
        for town_id in _town_ids(track.id, town_ids, locked):
            setattr(TargetForm, field_name(track.id, town_id),
                    StringField(track.short_name, filters=[_strip], validators=[Optional(), NUMBER]))
        setattr(TargetForm, baseline_name(track.id), StringField(track.short_name, filters=[_strip],
                                                                 validators=[Optional(), NUMBER]))
        setattr(TargetForm, baseline_name(track.id, note=True), StringField(track.short_name, filters=[_strip],
                                                                            validators=[NOTE]))
    data = {field_name(track_id, town_id): str(value) for (track_id, town_id), value in current.items()
            if town_id is not None or track_id not in locked}
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


def form_values(form, tracks, town_ids: list[int | None],
                locked: Collection[int] = ()) -> dict[tuple[int, int | None], int | None]:
    """The submitted targets: (track_id, town_id) → number, or None where the field was left empty; a locked
    track's county-wide target is not among them."""
    values = {}
    for track in tracks:
        for town_id in _town_ids(track.id, town_ids, locked):
            raw = form[field_name(track.id, town_id)].data
            values[(track.id, town_id)] = int(raw) if raw not in (None, "") else None
    return values


def city_field_name(county_id: int, track_id: int) -> str:
    return f"c_{county_id}_{track_id}"


def city_target_form(tracks, county_ids: list[int], current: dict[tuple[int, int], int], **kwargs) -> Form:
    """The city's grid: one optional whole number per county and track, filled with the targets the city set."""

    class CityTargetForm(Form):
        pass

    for county_id in county_ids:
        for track in tracks:
            setattr(CityTargetForm, city_field_name(county_id, track.id),
                    StringField(track.short_name, filters=[_strip], validators=[Optional(), NUMBER]))
    data = {city_field_name(county_id, track_id): str(value) for (county_id, track_id), value in current.items()}
    return CityTargetForm(data=data, **kwargs)


def city_form_values(form, tracks, county_ids: list[int]) -> dict[tuple[int, int], int | None]:
    """The submitted targets: (county_id, track_id) → number, or None where the field was left empty."""
    values = {}
    for county_id in county_ids:
        for track in tracks:
            raw = form[city_field_name(county_id, track.id)].data
            values[(county_id, track.id)] = int(raw) if raw not in (None, "") else None
    return values
