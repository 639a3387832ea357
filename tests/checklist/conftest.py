"""The figure builders of the indicators tests."""

from tests.indicators.conftest import add_figures  # noqa: F401
