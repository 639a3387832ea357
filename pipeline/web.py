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
