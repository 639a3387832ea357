"""Helpers the policy pages share: the form's choices, the names in conditions, sending the attachment."""

from __future__ import annotations

import io

from flask import abort, current_app
from sqlalchemy import select
from wtforms import SelectChoice

from pipeline.domain.policy import describe_conditions
from pipeline.domain.stages import BOARD_ORDER, stage_label
from pipeline.extensions import db
from pipeline.firms.models import Industry, Town
from pipeline.funnel.models import Track
from pipeline.i18n import translate_msg
from pipeline.policies.conditions import load_conditions
from pipeline.policies.forms import PolicyForm
from pipeline.policies.models import Policy
from pipeline.policies.services import attachment_mimetype
from pipeline.web import send_attachment


def track_names() -> dict[str, str]:
    return dict(db.session.execute(select(Track.code, Track.name).where(Track.active.is_(True))
                                   .order_by(Track.sort_order, Track.id)).all())


def fill_choices(form: PolicyForm) -> None:
    from flask_babel import gettext as _

    form.track.choices = [SelectChoice("", _("不限"))] + [SelectChoice(code, name) for code, name in track_names().items()]
    form.stages.choices = [SelectChoice(s.value, _(stage_label(s))) for s in BOARD_ORDER]
    form.towns.choices = [SelectChoice(i, name) for i, name in db.session.execute(
        select(Town.id, Town.name).order_by(Town.sort_order, Town.id))]
    form.industries.choices = [SelectChoice(i, name) for i, name in db.session.execute(
        select(Industry.id, Industry.name).order_by(Industry.sort_order, Industry.id))]


def form_data(policy: Policy) -> dict:
    """What the edit form shows for a saved policy (ratios back as percentages)."""
    c = load_conditions(policy.conditions)
    data = {name: getattr(policy, name) for name in (
        "title", "issuer", "document_number", "effective_from", "effective_to", "summary", "next_step",
        "benefit_kind", "benefit_amount", "benefit_cap", "benefit_text", "is_award")}
    data["benefit_rate"] = policy.benefit_rate * 100 if policy.benefit_rate is not None else None
    data.update(track=c.track or "", stages=list(c.stages), first_time_this_year=c.first_time_this_year,
                towns=list(c.towns), industries=list(c.industries), sales_min=c.sales_min, sales_max=c.sales_max,
                employees_min=c.employees_min, employees_max=c.employees_max, ip_class_i_min=c.ip_class_i_min,
                ip_class_ii_min=c.ip_class_ii_min, no_vetoes=c.no_vetoes,
                rd_sales_min=c.rd_sales_min * 100 if c.rd_sales_min is not None else None,
                tech_staff_ratio_min=c.tech_staff_ratio_min * 100 if c.tech_staff_ratio_min is not None else None)
    return data


def condition_lines(policy: Policy) -> list[str]:
    """The policy's conditions in the current language, one line each."""
    towns = dict(db.session.execute(select(Town.id, Town.name)).all())
    industries = dict(db.session.execute(select(Industry.id, Industry.name)).all())
    return [translate_msg(m) for m in describe_conditions(load_conditions(policy.conditions), towns, industries)]


def send_policy_attachment(policy: Policy):
    if not policy.attachment_kind:
        abort(404)
    return send_attachment(io.BytesIO(policy.attachment), mimetype=attachment_mimetype(policy),
                           filename=policy.attachment_name or "policy")


def max_upload_bytes() -> int:
    """The largest file (PIPELINE_MAX_UPLOAD_MB), as for every document."""
    return current_app.config["PIPELINE_MAX_UPLOAD_BYTES"]
