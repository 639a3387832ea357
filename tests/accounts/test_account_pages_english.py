"""Every account page speaks English when English is chosen: no Chinese left in <main> but the data."""

import re
from datetime import UTC, datetime

import pytest

from pipeline.audit.models import AuditKind
from pipeline.audit.services import record_event
from pipeline.auth.models import Role
from tests.test_i18n import CJK, data_strings


def _main_text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", "", main, flags=re.S)
    main = re.sub(r'<div[^>]*aria-hidden="true"[^>]*>.*?</div>', "", main, flags=re.S)  # the print-only header
    return re.sub(r"<[^>]+>", " ", main)


def _chinese_left(html: str, data: list[str]) -> list[str]:
    text = _main_text(html)
    for value in data:
        text = text.replace(value, "")
    return [line.strip() for line in text.splitlines() if CJK.search(line)]


@pytest.fixture
def english_admin(client, login_as, db, make_user):
    admin = login_as(Role.ADMIN, display_name="Admin")
    officer = make_user(Role.OFFICER, display_name="Wang")
    record_event(AuditKind.USER_DISABLED, actor=admin, target=officer, now=datetime(2026, 3, 1, tzinfo=UTC))
    db.session.commit()
    client.post("/language", data={"language": "en", "next": "/"})
    return officer


@pytest.mark.parametrize("path", ["/admin/users/", "/admin/users/new", "/admin/users/{id}", "/admin/users/settings",
                                  "/admin/audit/", "/account/2fa/", "/account/2fa/setup", "/firms/invitations/"])
def test_admin_and_own_account_pages_are_english(client, db, english_admin, path):
    response = client.get(path.format(id=english_admin.id))
    assert response.status_code == 200
    assert _chinese_left(response.get_data(as_text=True), data_strings(db)) == [], path


@pytest.mark.parametrize("path", ["/account/forgot", "/account/setup/unknown", "/login"])
def test_public_account_pages_are_english(client, db, path):
    client.post("/language", data={"language": "en", "next": "/"})
    html = client.get(path).get_data(as_text=True)
    assert _chinese_left(html, []) == [], path
    assert client.post("/account/forgot", data={"identifier": "x"}).get_data(as_text=True).count("Please check") == 1
