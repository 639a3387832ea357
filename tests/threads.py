"""Run the same work in several threads at once, as two schedulers or two senders would."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_at_once(work: Callable[[], object], count: int = 2, timeout: float = 60) -> list:
    """Start `count` threads running `work` together; return their results, or raise the first error."""
    results, errors = [], []
    start = threading.Barrier(count)

    def run():
        try:
            start.wait(timeout)
            results.append(work())
        except Exception as exc:  # handed to the test below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if errors:
        raise errors[0]
    assert len(results) == count, "a thread did not finish in time"
    return results
