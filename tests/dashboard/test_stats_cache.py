"""The dashboard's statistics are kept per worker for PIPELINE_DASHBOARD_CACHE_SECONDS."""

import re

import pytest

from pipeline.auth.models import Role
from pipeline.dashboard import stats_cache
from pipeline.domain.stages import Stage


@pytest.fixture(autouse=True)
def empty_cache():
    stats_cache.clear()
    yield
    stats_cache.clear()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_result_is_reused_until_it_is_max_age_old():
    clock, computed = Clock(), []

    def compute():
        computed.append(clock.now)
        return f"stats@{clock.now}"

    key = stats_cache.cache_key("2026-11", None, 20)
    assert stats_cache.cached_stats(key, compute, max_age=60, clock=clock) == "stats@1000.0"
    clock.now += 59
    assert stats_cache.cached_stats(key, compute, max_age=60, clock=clock) == "stats@1000.0"
    clock.now += 1
    assert stats_cache.cached_stats(key, compute, max_age=60, clock=clock) == "stats@1060.0"
    assert computed == [1000.0, 1060.0]


def test_scopes_and_periods_are_kept_apart_and_zero_turns_it_off():
    clock = Clock()
    county = stats_cache.cache_key("2026-11", None, 20)
    two_towns = stats_cache.cache_key("2026-11", {3, 1}, 20)
    assert two_towns == stats_cache.cache_key("2026-11", [1, 3], 20)
    assert stats_cache.cached_stats(county, lambda: "county", max_age=60, clock=clock) == "county"
    assert stats_cache.cached_stats(two_towns, lambda: "towns", max_age=60, clock=clock) == "towns"
    assert stats_cache.cached_stats(stats_cache.cache_key("2026", None, 20), lambda: "year", max_age=60,
                                    clock=clock) == "year"
    calls = []
    for _ in range(2):
        stats_cache.cached_stats(county, lambda: calls.append(1) or "fresh", max_age=0, clock=clock)
    assert len(calls) == 2


def test_the_oldest_entry_goes_first(monkeypatch):
    monkeypatch.setattr(stats_cache, "MAX_ENTRIES", 2)
    clock, calls = Clock(), []
    for period in ("2026-09", "2026-10", "2026-11"):
        stats_cache.cached_stats(stats_cache.cache_key(period, None, 20), lambda: calls.append(1) or "x",
                                 max_age=60, clock=clock)
    stats_cache.cached_stats(stats_cache.cache_key("2026-09", None, 20), lambda: calls.append(1) or "x",
                             max_age=60, clock=clock)
    assert len(calls) == 4  # 2026-09 was evicted by 2026-11


def test_the_page_says_when_its_figures_were_computed_and_reuses_them(app, client, login_as, make_firm,
                                                                      place_firm):
    app.config["PIPELINE_DASHBOARD_CACHE_SECONDS"] = 60
    login_as(Role.LEADER)
    place_firm(make_firm(), "tech_sme", Stage.POOL)
    first = dashboard_without_tokens(client)
    assert "统计于 " in first and "每 60 秒更新" in first
    place_firm(make_firm(), "tech_sme", Stage.POOL)
    assert dashboard_without_tokens(client) == first  # within the minute: the same figures
    stats_cache.clear()
    assert dashboard_without_tokens(client) != first


def dashboard_without_tokens(client) -> str:
    """The dashboard page without its CSRF tokens (they carry a timestamp: two requests a second apart differ)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"',
                  client.get("/dashboard/").get_data(as_text=True))
