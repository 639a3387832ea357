"""The admin page where the annual certification targets are set, county-wide and per town; and the city's page
where a city sets its counties' county-wide targets (issue 24)."""

from flask import Blueprint

bp = Blueprint("targets", __name__, url_prefix="/admin/targets")

from pipeline.dashboard.targets import city, views  # noqa: E402,F401

bp.before_request(city.targets_gate)
