"""Notification channels next to email (issue 22): SMS (Alibaba Cloud), DingTalk / 浙政钉 and WeCom group robots.

The admin's pages (/admin/channels: which channels exist, defaults, SMS templates, the delivery log) are here;
each user's own choices are in mine.py (/account/notifications)."""

from flask import Blueprint

from pipeline.auth.permissions import admin_gate

bp = Blueprint("channels", __name__, url_prefix="/admin/channels")
bp.before_request(admin_gate)


@bp.app_template_filter("mask_mobile")
def mask_mobile_filter(number: str) -> str:
    from pipeline.domain.channels import mask_mobile

    return mask_mobile(number or "")

from pipeline.channels import views  # noqa: E402,F401
