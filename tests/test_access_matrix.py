"""Every endpoint × every role × method, with the status each role must get. Each feature adds its rows."""

import pytest

from pipeline.auth.models import Role

ANON = "anonymous"
# url, method, {role: expected status}; 302 for anonymous means "sent to the login page".
MATRIX = [
    ("/", "GET", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 302, Role.FIRM: 302}),
    ("/login", "GET", {ANON: 200, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 200}),
    ("/account/password", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 200}),
    ("/funnel/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/firms/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/firms/{firm}", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/portal/", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}),
    # The funnel (issue 3). POSTs carry no form data: a clear 4xx re-render, never a 500 and never a change.
    ("/firms/?q=测试&stale=1", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/firms/new", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/firms/new", "POST", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/firms/{firm}/edit", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    # An empty POST keeps the firm's values: nothing to save, back to the firm page.
    ("/firms/{firm}/edit", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 403, Role.FIRM: 404}),
    ("/firms/{firm}/services/new", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/firms/{firm}/services/new", "POST",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/funnel/?track=hnte", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/funnel/firms/{firm}/tech_sme/move", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/funnel/firms/{firm}/tech_sme/move", "POST",
     {ANON: 302, Role.ADMIN: 422, Role.OFFICER: 422, Role.LEADER: 403, Role.FIRM: 404}),
    ("/funnel/bulk", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/funnel/bulk", "POST", {ANON: 302, Role.ADMIN: 422, Role.OFFICER: 422, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/funnel/tracks", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/funnel/tracks/new", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/funnel/tracks/new", "POST",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/funnel/tracks/hnte/edit", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/funnel/tracks/hnte/edit", "POST",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/funnel/stale", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/funnel/stale", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/funnel/officers", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/funnel/officers", "POST",
     {ANON: 302, Role.ADMIN: 422, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/portal/status.json", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}),
    ("/portal/contact", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}),
    ("/portal/contact", "POST", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}),
]

CASES = [(url, method, role, status) for url, method, expected in MATRIX for role, status in expected.items()]


@pytest.mark.parametrize(("url", "method", "role", "status"), CASES,
                         ids=[f"{m} {u} {r}" for u, m, r, _ in CASES])
def test_access(client, login_as, make_firm, url, method, role, status):
    firm = make_firm()
    if role != ANON:
        login_as(role)
    response = client.open(url.format(firm=firm.id), method=method)
    assert response.status_code == status
