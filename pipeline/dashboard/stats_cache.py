"""The dashboard's statistics, kept for a short while in each web worker.

At province scale one dashboard view costs a second or more of database time (bench/bench_dashboard.py); leaders
and officers open it several times a day, often one after another. A worker keeps each computed result for
PIPELINE_DASHBOARD_CACHE_SECONDS (default 60; 0 turns it off) and the page says when its figures were computed.
The monthly report and the exports always compute afresh.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable

from pipeline.dashboard.stats import FunnelStats
from pipeline.tenancy.scope import current_scope

MAX_ENTRIES = 32  # periods × town scopes × counties a worker keeps; the oldest goes first

_entries: OrderedDict[Hashable, tuple[float, FunnelStats]] = OrderedDict()
_lock = threading.Lock()


def cache_key(period_key: str, town_ids: Collection[int] | None, list_limit: int) -> Hashable:
    """The key of one view's statistics: its period, towns and list length within the request's counties (several
    counties share a worker: one county's figures and firm names must never answer another's request)."""
    scope, towns = current_scope(), None if town_ids is None else tuple(sorted(town_ids))
    return tuple(sorted(scope.county_ids)), scope.restricted, period_key, towns, list_limit


def cached_stats(key: Hashable, compute: Callable[[], FunnelStats], *, max_age: float,
                 clock: Callable[[], float] = time.monotonic) -> FunnelStats:
    """The statistics stored under `key` if younger than max_age seconds, else compute() now (and store it)."""
    if max_age <= 0:
        return compute()
    now = clock()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and now - entry[0] < max_age:
            _entries.move_to_end(key)
            return entry[1]
    stats = compute()  # outside the lock: two requests at once may both compute, neither waits on the other
    with _lock:
        _entries[key] = (now, stats)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return stats


def clear() -> None:
    with _lock:
        _entries.clear()
