"""The dashboard's cache is kept per county: a city's drill-down shares a county's entry, no other county does."""

from pipeline.dashboard import stats_cache
from pipeline.tenancy.scope import Scope, county_scope, use_scope


def test_each_county_and_the_city_have_their_own_cache_entries(app):
    with app.app_context():
        check_cache_entries()


def check_cache_entries():
    clock = iter(range(100)).__next__
    keys = {}
    for name, scope in (("first", county_scope(1)), ("second", county_scope(2)),
                        ("city", Scope(frozenset({1, 2, 9}), frozenset({1, 2})))):
        with use_scope(scope):
            keys[name] = stats_cache.cache_key("2026", None, 20)
            assert stats_cache.cached_stats(keys[name], lambda n=name: n, max_age=60, clock=clock) == name
    with use_scope(county_scope(2)):
        assert stats_cache.cache_key("2026", None, 20) == keys["second"]
        assert stats_cache.cached_stats(keys["second"], lambda: "again", max_age=60, clock=clock) == "second"
    assert len(set(keys.values())) == 3 and stats_cache.cache_key("2026", None, 20) not in keys.values()
    stats_cache.clear()
