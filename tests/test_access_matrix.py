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
    # reminders (staff notification list, annual-report mark), the firm's side, and the admin's pages
    ("/reminders/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/reminders/read-all", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 403, Role.FIRM: 404}),
    ("/reminders/999999/read", "POST", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 403, Role.FIRM: 404}),
    ("/reminders/firms/{firm}/annual-report", "POST",
     {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 403, Role.FIRM: 404}),
    ("/portal/reminders/", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}),
    ("/portal/reminders/read-all", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 302}),
    ("/portal/reminders/999999/read", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 404}),
    ("/portal/reminders/annual-report", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 302}),
    ("/admin/reminders/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/reminders/run", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/reminders/rules/hnte_expiry", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/reminders/rules/hnte_expiry", "POST",
     {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/reminders/rules/hnte_expiry/toggle", "POST",
     {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/reminders/calendar", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/reminders/calendar", "POST", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/reminders/calendar/2026", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/reminders/calendar/2026", "POST",
     {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/mail/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/mail/999999", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/mail/999999/retry", "POST", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/mail/retry-failed", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/dashboard/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/admin/targets/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/targets/", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/reports/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/reports/render", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 403, Role.FIRM: 404}),
    ("/reports/renders/0", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 404}),
    ("/reports/2000-01.pdf", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 404}),
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
