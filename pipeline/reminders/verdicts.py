"""The 高企 verdict that rule 6 needs, through a pluggable provider (the eligibility engine plugs in here).

    register_hnte_verdict_provider(app, provider)
    provider(firm_ids: list[int], today: date) -> Mapping[int, str]   # 'pass' | 'possible' | 'undetermined' | 'fail'

Without a provider no firm has a verdict, and rule 6 reminds nobody."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from flask import Flask, current_app

VERDICTS = frozenset({"pass", "possible", "undetermined", "fail"})
HnteVerdictProvider = Callable[[list[int], date], Mapping[int, str]]
_EXTENSION = "pipeline.hnte_verdict_provider"


def register_hnte_verdict_provider(app: Flask, provider: HnteVerdictProvider | None) -> None:
    """Make `provider` the source of 高企 verdicts for this app (None removes it)."""
    if provider is None:
        app.extensions.pop(_EXTENSION, None)
    else:
        app.extensions[_EXTENSION] = provider


def hnte_verdicts(firm_ids: Iterable[int], today: date) -> dict[int, str]:
    """Return the 高企 verdict ('pass', 'possible', 'undetermined' or 'fail') of each firm that has one, as of `today`."""
    firm_ids = list(firm_ids)
    provider = current_app.extensions.get(_EXTENSION)
    if provider is None or not firm_ids:
        return {}
    return {int(firm_id): verdict for firm_id, verdict in provider(firm_ids, today).items() if verdict in VERDICTS}
