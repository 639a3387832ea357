"""Small helpers shared by the views of every blueprint."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from flask import request, send_file, url_for

from pipeline.hygiene import MAX_INT, bounded_int, download_name


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


def send_attachment(source, *, mimetype: str, filename: str, inline: bool = False, size: int | None = None,
                    **options):
    """Send a file the user downloads (PDF, Excel, ZIP): its name, made from any text, through download_name()
    (werkzeug writes it as RFC 6266 filename*); the response's Cache-Control is no-store (pipeline/security.py).
    The length goes out too: `size` for a stream that cannot tell it (a document read from the database in
    slices), else a seekable file's own."""
    response = send_file(source, mimetype=mimetype, as_attachment=not inline, download_name=download_name(filename),
                         **options)
    if size is not None:
        response.content_length = size
    elif response.content_length is None and getattr(source, "seekable", bool)():  # a temporary file
        response.content_length = source.seek(0, io.SEEK_END) - source.seek(0)
    return response


def client_ip() -> str:
    """The client's address (from a trusted proxy's X-Forwarded-For when PIPELINE_PROXY_HOPS is set), cut to the
    45 characters an address column holds: a misconfigured proxy may forward any text."""
    return (request.remote_addr or "unknown")[:45]


MAX_ID = MAX_INT  # PostgreSQL integer: a larger id from a URL or a form would be a database error, not a 404
MAX_PAGE = 10_000


def int_arg(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """An integer from the query string within [minimum, maximum] (an id unless told otherwise), or default for
    anything else (never an error): the one parser of integer query arguments."""
    value = bounded_int(request.args.get(name), minimum=minimum, maximum=maximum)
    return default if value is None else value


def form_ids(name: str, limit: int = 1000) -> list[int]:
    """The ids ticked in a form (checkboxes named `name`), at most `limit`: anything that is not an id the database
    can hold is dropped (never a query error)."""
    ids = (bounded_int(value, minimum=1, maximum=MAX_ID) for value in request.form.getlist(name))
    return [value for value in ids if value is not None][:limit]


def page_arg() -> int:
    """The page number of a list (?page=), 1 for anything that is not one."""
    return int_arg("page", 1, maximum=MAX_PAGE)


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
