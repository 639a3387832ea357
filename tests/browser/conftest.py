"""Browser tests: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

Each test module gets its own freshly migrated database and server. Every page's console errors and CSP violations
fail the test, and every journey saves full-page screenshots under $PIPELINE_SCREENSHOT_DIR.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from config import TestConfig
from pipeline import create_app
from pipeline.extensions import db as _db
from tests.conftest import scratch_database

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("PIPELINE_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "pipeline-screenshots")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1400, "height": 900}}


@pytest.fixture(autouse=True)
def _patient_waits(page):
    """CI machines are small and shared: wait up to 15 s for what a user would see, not Playwright's 5 s."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    page.set_default_timeout(15_000)


@pytest.fixture(scope="module")
def module_database_url():
    with tempfile.TemporaryDirectory(prefix="pipeline-e2e-") as folder, scratch_database("pipeline_e2e", folder) as url:
        yield url


@pytest.fixture(scope="module")
def live_app(module_database_url):
    from flask_migrate import upgrade

    config = TestConfig(env={**os.environ, "TEST_DATABASE_URL": module_database_url, "TEST_CSRF": "1"})
    app = create_app(config)
    with app.app_context():
        upgrade()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve the app on a free port of 127.0.0.1 in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def console_errors(page):
    """Collect JavaScript errors and CSP violations; the test fails if any happened."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    yield errors
    assert errors == [], "browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def shoot(page, request):
    """Save a full-page screenshot named after the test and a step."""

    def take(step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        module = request.node.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{module}-{request.node.name}-{step}")
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="module")
def in_live_app(live_app):
    """Run code (e.g. create users) against the live server's database."""

    def run(fn):
        with live_app.app_context():
            try:
                result = fn()
                _db.session.commit()
                return result
            finally:
                _db.session.remove()

    return run


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label(re.compile("用户名|User name")).fill(username)
    page.get_by_label(re.compile("^(密码|Password)$")).fill(password)
    # Wait for the next page's load event: before it, its scripts (e.g. the self-submitting language select) may
    # not be wired yet, and a test acting at once would race them.
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^(登录|Log in)$")).click()


DEMO_FIRMS = 12  # enough for every stage of both tracks; each pool entry renders a certificate PDF, so keep it small


@pytest.fixture(scope="module")
def demo_county(live_app):
    """The county of `flask seed-demo` (firms with two years of history, certificates, a user per role) in this
    module's database; returns {username: password} of the demo users."""
    from pipeline.demo import DEMO_USERS, seed_demo

    with live_app.app_context():
        seed_demo(DEMO_FIRMS, password_min_length=live_app.config["PASSWORD_MIN_LENGTH"])
        _db.session.commit()
        _db.session.remove()
    return {username: password for username, _role, password, _name, _firm in DEMO_USERS}


def choose_language(page, code: str) -> None:
    """Switch the UI language with the navbar's select (it submits itself) unless it is already chosen."""
    if page.locator("#language").input_value() != code:
        with page.expect_navigation():
            page.select_option("#language", code)


@pytest.fixture
def shoot_pdf(request):
    """Render a downloaded PDF's pages to PNG (pdftoppm, 60 dpi) beside the screenshots; return its text."""

    def take(pdf: Path, step: str) -> str:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        module = request.node.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{module}-{request.node.name}-{step}")
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(SCREENSHOTS / name)], check=True)
        return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout

    return take


def pytest_terminal_summary(terminalreporter):
    """Print the axe table of every page the browser tests audited (see accessibility.py)."""
    from tests.browser.accessibility import audit_table

    lines = audit_table()
    if lines:
        terminalreporter.section("axe-core: WCAG 2.1 A/AA violations per page, by impact")
        for line in lines:
            terminalreporter.write_line(line)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / "axe.txt").write_text("\n".join(lines) + "\n")
