"""Job functions for the scheduler tests (imported by name, as JOBS entries are)."""

calls: list = []


def record_call(now):
    calls.append(now)
    return "ok"


def fail(now):
    raise RuntimeError("boom")
