"""Every blueprint of the app, in one list."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

BLUEPRINTS = [
    "pipeline.auth",
    "pipeline.auth.throttle_views",
    "pipeline.firms",
    "pipeline.funnel",
    "pipeline.portal",
    "pipeline.mail",
    "pipeline.channels",
    "pipeline.channels.mine",
    "pipeline.reminders",
    "pipeline.reminders.portal",
    "pipeline.reminders.admin",
    "pipeline.indicators",
    "pipeline.indicators.portal",
    "pipeline.imports",
    "pipeline.certificates",
    "pipeline.certificates.batch_views",
    "pipeline.certificates.portal",
    "pipeline.certificates.public",
    "pipeline.certificates.seal_views",
    "pipeline.funnel.admin",
    "pipeline.dashboard",
    "pipeline.dashboard.targets",
    "pipeline.reports",
    "pipeline.rollup",
    "pipeline.documents",
    "pipeline.documents.portal",
    "pipeline.documents.admin",
    "pipeline.accounts.views",
    "pipeline.accounts.public",
    "pipeline.accounts.twofactor_views",
    "pipeline.audit.views",
    "pipeline.accounts.bulk_views",
    "pipeline.checklist",
    "pipeline.checklist.portal",
    "pipeline.workbench",
    "pipeline.policies",
    "pipeline.policies.portal",
    "pipeline.api",
    "pipeline.api.admin",
]


def register_blueprints(app: Flask) -> None:
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(name).bp)
