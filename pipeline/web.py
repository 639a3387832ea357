"""Small helpers shared by the views of every blueprint."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for


def safe_next_url(target: str | None, default: str) -> str:
    """Return target only if it is a path on this site; refuse other hosts, schemes and '//' tricks."""
    if not target:
        return default
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if any(ord(ch) < 32 for ch in target):
        return default
    return target


def client_ip() -> str:
    """The client's address (from a trusted proxy's X-Forwarded-For when PIPELINE_PROXY_HOPS is set), cut to the
    45 characters an address column holds: a misconfigured proxy may forward any text."""
    return (request.remote_addr or "unknown")[:45]


MAX_ID = 2**31 - 1  # PostgreSQL integer: a larger id from a URL or a form would be a database error, not a 404


def int_arg(name: str) -> int | None:
    """A positive id-like integer from the query string, or None for anything else (never an error)."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None


class IdUrl:
    """The URLs of one route for many ids, with url_for() called once: a board draws 160 cards with two links each
    and a list page 50 rows, and url_for() costs ~20 µs a call. IdUrl("firms.detail", "firm_id")(42) is
    url_for("firms.detail", firm_id=42); other route values are fixed when it is made."""

    _MARK = 987_654_321  # an id no URL part will contain by chance

    def __init__(self, endpoint: str, id_arg: str, **values) -> None:
        url = url_for(endpoint, **values, **{id_arg: self._MARK})
        if url.count(str(self._MARK)) != 1:  # a fixed value holds the marker too: rather slow than wrong
            self._build = lambda id_value: url_for(endpoint, **values, **{id_arg: id_value})
            return
        head, _, tail = url.partition(str(self._MARK))
        self._build = lambda id_value: f"{head}{int(id_value)}{tail}"

    def __call__(self, id_value: int) -> str:
        return self._build(id_value)
