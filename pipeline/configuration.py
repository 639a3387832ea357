"""Turn the `config` argument of create_app() into the app's settings, and check them."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

import config as config_module


def load_config(app: Flask, config=None) -> None:
    """Apply a Config instance, class or name (default: $PIPELINE_ENV or 'development'), then check it."""
    if config is None or isinstance(config, str):
        name = config or os.environ.get("PIPELINE_ENV", "development")
        try:
            config = config_module.CONFIGS[name]
        except KeyError:
            raise RuntimeError(f"unknown PIPELINE_ENV {name!r}; use one of {sorted(config_module.CONFIGS)}") from None
    if isinstance(config, type):
        config = config(instance_path=Path(app.instance_path))
    config.check()
    app.config.from_object(config)
    app.config["PIPELINE_CONFIG_NAME"] = type(config).__name__
