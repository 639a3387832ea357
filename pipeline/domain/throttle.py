"""Login throttling (OWASP ASVS 5.0 §6.3): growing delays after failed logins instead of a lock an attacker can
set off. Plain arithmetic on counts and times; pipeline/auth/throttle.py keeps the counts in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ZERO = timedelta(0)


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures each kind of throttle forgives, and how the delay grows after them."""

    free: int = 5  # failures of one account from one address before delays begin
    address_free: int = 20  # failures from one address, whatever the accounts (password spraying)
    account_free: int = 50  # failures of one account from many addresses (a botnet); not for its usual addresses
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)
    memory: timedelta = timedelta(hours=24)  # a count untouched this long is forgotten


def delay_after(failures: int, free: int, policy: ThrottlePolicy) -> timedelta:
    """Return how long the next attempt waits after the last failure: nothing within `free` failures, then the
    first delay doubling with each further failure, at most the policy's maximum."""
    if failures < free:
        return ZERO
    return min(policy.first_delay * 2 ** min(failures - free, 16), policy.max_delay)


def wait_left(failures: int, last_failure_at: datetime | None, free: int, now: datetime,
              policy: ThrottlePolicy) -> timedelta:
    """Return how long from now until the next attempt is allowed (ZERO: at once)."""
    if last_failure_at is None or now - last_failure_at >= policy.memory:
        return ZERO
    return max(last_failure_at + delay_after(failures, free, policy) - now, ZERO)
