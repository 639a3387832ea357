"""Growing delays after failed logins (pipeline/domain/throttle.py): no fixed lock, doubling up to a maximum."""

from datetime import UTC, datetime, timedelta

from pipeline.domain.throttle import ZERO, ThrottlePolicy, delay_after, wait_left

POLICY = ThrottlePolicy()
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_the_free_failures_wait_nothing_then_the_delay_doubles_up_to_the_maximum():
    assert [delay_after(n, 5, POLICY).total_seconds() for n in range(4, 12)] == [0, 30, 60, 120, 240, 480, 900, 900]
    assert delay_after(10**6, 5, POLICY) == POLICY.max_delay


def test_the_wait_runs_from_the_last_failure_and_is_forgotten_after_the_memory():
    assert wait_left(6, NOW - timedelta(seconds=20), 5, NOW, POLICY) == timedelta(seconds=40)
    assert wait_left(6, NOW - timedelta(seconds=90), 5, NOW, POLICY) == ZERO
    assert wait_left(40, NOW - POLICY.memory, 5, NOW, POLICY) == ZERO
    assert wait_left(0, None, 5, NOW, POLICY) == ZERO
