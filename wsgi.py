"""WSGI entry point: `gunicorn wsgi:app`. PIPELINE_ENV picks the configuration (production by default here)."""

from pipeline import create_app

app = create_app()
