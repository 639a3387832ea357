"""Helpers of the accounts tests: read the one-time link out of the last mail, log in through the form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pipeline.mail.models import OutboxMessage
from tests.conftest import PASSWORD

LINK = re.compile(r"http://127\.0\.0\.1:5000(/account/(?:setup|reset)/[A-Za-z0-9_-]+)")
NEW_PASSWORD = "granite-violin-harbour-47"


@pytest.fixture
def last_link(db):
    """The path of the one-time link in the newest queued mail to an address."""

    def find(address: str) -> str:
        db.session.expire_all()
        for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())):
            if any(addr == address for _name, addr in message.to):
                return LINK.search(message.text_body).group(1)
        raise AssertionError(f"no mail to {address}")

    return find


def form_login(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password, "next": ""})
