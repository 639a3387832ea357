"""The pages a role reaches: a crawl of same-site links from the landing page, one URL per route pattern.

Used by bench_pages.py. A crawl starts at `/` (each role's landing page, after its redirect), follows `<a href>` links
to this site two levels deep with GET only, and keeps the first URL (with its query string) of every Flask route
pattern, plus the explicitly named pages of issue 23 (NAMED_PAGES) where the role may open them. Links it does not
follow are kept too, with the reason, so that a report can print them (nothing is left out silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Pages named by issue 23 (workbench, documents, targets, users, audit log), opened even if no link leads there;
# a firm page's documents need a firm: firm 1, the firm user's firm, is the same firm in every county.
NAMED_PAGES = ("/workbench/", "/admin/documents/types", "/documents/firms/1", "/portal/documents/", "/admin/targets/",
               "/admin/users/", "/admin/audit/")
# A GET that changes something: a verification counts towards the visitor's rate limit (and logs the hit).
SIDE_EFFECTS = {"verify.result": "records a verification (rate-limited)", "auth.logout": "logs out"}
# Files, not pages: a route ending like this, or whose view says it hands one out.
FILE_SUFFIXES = (".pdf", ".xlsx", ".xls", ".png", ".jpg", ".zip", ".csv", ".json")
FILE_VIEWS = ("download", "export", "attachment", "image", "template", "progress", "render_status", "dossier")


@dataclass
class Found:
    """One route pattern as a role reached it: its first URL, or why it was not followed (`skipped`)."""

    pattern: str
    endpoint: str
    url: str
    level: int
    skipped: str = ""


@dataclass
class Crawl:
    """What one role reached in one county, in the order found."""

    landing: str
    pages: dict[str, Found] = field(default_factory=dict)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def same_site_links(html: str) -> list[str]:
    """The page's `<a href>` targets on this site (path and query, no fragment), in document order."""
    parser = _Links()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "localhost"):
            continue  # another site, mailto:, tel:, javascript:
        if not parts.path.startswith("/"):
            continue  # "#…" on the same page (relative links are not used here)
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return list(dict.fromkeys(links))


def skip_reason(pattern: str, endpoint: str) -> str:
    """Why a route is not measured as a page ("" if it is one)."""
    if endpoint in SIDE_EFFECTS:
        return f"side effects: {SIDE_EFFECTS[endpoint]}"
    if endpoint == "static":
        return "static file"
    if pattern.endswith(FILE_SUFFIXES) or any(word in endpoint.rsplit(".", 1)[-1] for word in FILE_VIEWS):
        return "a download or a poll, not a page"
    return ""


def route_of(adapter, url: str) -> tuple[str, str] | None:
    """(route pattern, endpoint) of a URL of this site, or None if no GET route matches it as it is."""
    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import RequestRedirect

    try:
        rule, _args = adapter.match(urlsplit(url).path, method="GET", return_rule=True)
    except (HTTPException, RequestRedirect):
        return None
    return rule.rule, rule.endpoint


def crawl(app, client, depth: int = 2) -> Crawl:
    """The pages a logged-in client reaches from `/` within `depth` links, one URL per route pattern, then the named
    pages it may open. Each page is fetched once; a page that does not answer 200 with HTML is kept as skipped."""
    adapter = app.url_map.bind("localhost")
    landing = client.get("/", follow_redirects=True)
    result = Crawl(landing=landing.request.path)
    frontier = [result.landing]
    for level in range(depth + 1):
        next_frontier = []
        for url in frontier:
            html = _visit(client, adapter, url, level, result)
            if html is not None and level < depth:
                next_frontier.extend(same_site_links(html))
        frontier = next_frontier
    for url in NAMED_PAGES:
        _visit(client, adapter, url, -1, result, quiet_refusal=True)
    return result


def _visit(client, adapter, url: str, level: int, result: Crawl, *, quiet_refusal: bool = False) -> str | None:
    """Fetch a URL whose route pattern is new and record it; its HTML if it is a page to follow."""
    route = route_of(adapter, url)
    if route is None or route[0] in result.pages:
        return None
    pattern, endpoint = route
    reason = skip_reason(pattern, endpoint)
    if reason:
        result.pages[pattern] = Found(pattern, endpoint, url, level, skipped=reason)
        return None
    response = client.get(url)
    if quiet_refusal and response.status_code in (403, 404):
        return None  # a named page this role may not open is not one of its pages
    where = response.headers.get("Location", "") if response.status_code in (301, 302, 303, 307, 308) else ""
    if response.status_code != 200 or response.mimetype != "text/html":
        reason = f"answers {response.status_code}" + (f", redirects to {where}" if where else f" {response.mimetype}")
        result.pages[pattern] = Found(pattern, endpoint, url, level, skipped=reason)
        # A redirect within the site leads to the page it stands for (/indicators/screening/ → one track's list).
        return _visit(client, adapter, where, level, result) if where.startswith("/") else None
    result.pages[pattern] = Found(pattern, endpoint, url, level)
    return response.get_data(as_text=True)
