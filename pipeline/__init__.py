"""Pipeline: 科技型企业梯队培育管理系统. create_app() is the only way to build the Flask app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """Build the app from a config object, class or name ('development', 'testing', 'production')."""
    from pipeline.blueprints import register_blueprints
    from pipeline.cli import register_cli
    from pipeline.configuration import load_config
    from pipeline.errors import register_error_handlers
    from pipeline.extensions_setup import register_database, register_extensions
    from pipeline.i18n import register_i18n
    from pipeline.navigation import register_navigation
    from pipeline.security import register_security

    app = Flask(__name__, static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates"),
                instance_path=str(ROOT / "instance"))
    load_config(app, config)
    register_extensions(app)
    register_database(app)
    register_security(app)
    register_i18n(app)
    register_blueprints(app)
    register_navigation(app)
    register_error_handlers(app)
    register_cli(app)
    return app
