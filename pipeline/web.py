"""Small helpers shared by the views of every blueprint."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


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
    return request.remote_addr or "unknown"


MAX_ID = 2**31 - 1  # PostgreSQL integer: a larger id from a URL or a form would be a database error, not a 404


def int_arg(name: str) -> int | None:
    """A positive id-like integer from the query string, or None for anything else (never an error)."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None
