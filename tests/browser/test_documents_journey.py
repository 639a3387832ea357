"""Journeys of issue 20: an officer works through the workbench (two to-dos done, the counts drop) and uploads,
supersedes and downloads a firm's documents; the firm does the same in its portal; a file over the size limit and
an .html renamed .pdf are refused with a message and nothing is stored."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from pipeline.auth.models import Role
from pipeline.auth.services import create_user
from pipeline.db import utcnow
from pipeline.demo import demo_credit_code
from pipeline.documents.models import DocumentVersion
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.firms.models import Firm, Town
from pipeline.funnel.models import FirmTrack, Track
from pipeline.funnel.services import move_firm
from tests.browser.conftest import log_in

PASSWORD = "long-enough-password"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
FIRMS = ("材料测试甲有限公司", "材料测试乙有限公司", "材料测试丙有限公司")


def _setup():
    officer = create_user("e2e-doc-officer", Role.OFFICER, PASSWORD, display_name="材料专员")
    town = Town(name="澄潭街道")
    tech = db.session.scalar(select(Track).where(Track.code == "tech_sme"))
    long_ago = utcnow() - timedelta(days=400)
    for index, name in enumerate(FIRMS):
        firm = Firm(credit_code=demo_credit_code(800 + index), name=name, town=town, officer_id=officer.id)
        db.session.add(firm)
        db.session.flush()
        record = move_firm((firm, tech), Stage.SCREENING, actor=None, now=long_ago).firm_track
        db.session.execute(update(FirmTrack).where(FirmTrack.id == record.id).values(last_activity_at=long_ago))
    first = db.session.scalar(select(Firm).where(Firm.name == FIRMS[0]))
    create_user("e2e-doc-firm", Role.FIRM, PASSWORD, firm_code=first.credit_code)


@pytest.fixture(scope="module")
def county(in_live_app):
    in_live_app(_setup)


def _versions(in_live_app) -> int:
    return in_live_app(lambda: db.session.scalar(select(func.count(DocumentVersion.id))))


def _count(page, kind: str) -> int:
    return int(page.locator(f'[data-kind="{kind}"] .workbench-count').inner_text())


def test_officer_completes_two_todos_and_the_count_drops(page, live_server, county, console_errors, shoot):
    log_in(page, live_server, "e2e-doc-officer", PASSWORD)
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()  # the officer's landing page
    shoot("workbench")
    before = _count(page, "stale")
    assert before == 3
    for expected in (2, 1):
        with page.expect_navigation():
            page.locator('[data-kind="stale"] .workbench-todo').first.get_by_role("button", name="完成").click()
        expect(page.locator('[data-kind="stale"] .workbench-count')).to_have_text(str(expected))
    expect(page.get_by_text("已标记为完成。")).to_be_visible()
    page.reload()
    expect(page.locator('[data-kind="stale"] .workbench-count')).to_have_text("1")  # done sticks
    shoot("after")


def _upload(page, kind: str, path, year: str = ""):
    page.get_by_label("材料类型").select_option(label=kind)
    page.get_by_label("所属年度").fill(year)
    page.get_by_label("文件", exact=True).set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="上传", exact=True).click()


def _refuses_bad_files(page, tmp_path, in_live_app, console_errors, shoot) -> None:
    """A PDF over 20 MB and an .html renamed .pdf: each refused with its message, nothing stored."""
    big, fake = tmp_path / "扫描件.pdf", tmp_path / "发票.pdf"
    big.write_bytes(PDF + b"0" * (21 * 1024 * 1024))
    fake.write_bytes(b"<!doctype html><html><script>alert(1)</script></html>")
    stored = _versions(in_live_app)
    _upload(page, "营业执照", big)
    expect(page.get_by_text(re.compile("文件超过 20 MB，未保存"))).to_be_visible()
    _upload(page, "营业执照", fake)
    expect(page.get_by_text(re.compile("改扩展名无效"))).to_be_visible()
    shoot("refused")
    assert _versions(in_live_app) == stored
    # The browser logs the refusals' 413 and 422 answers as console errors: they are what the test asked for.
    console_errors[:] = [e for e in console_errors if not re.search(r"status of (413|422) ", e)]


def test_officer_uploads_supersedes_and_downloads(page, live_server, county, in_live_app, console_errors, shoot,
                                                  tmp_path):
    first, second = tmp_path / "2025年度审计报告.pdf", tmp_path / "2025年度审计报告（更正）.pdf"
    first.write_bytes(PDF)
    second.write_bytes(PDF + b"% corrected\n")
    log_in(page, live_server, "e2e-doc-officer", PASSWORD)
    page.get_by_role("link", name="企业库").click()
    page.get_by_role("link", name=FIRMS[1]).click()
    page.get_by_role("link", name="上传与历史版本").click()
    _upload(page, "审计报告", first, "2025")
    expect(page.get_by_role("link", name="2025年度审计报告.pdf")).to_be_visible()
    page.get_by_role("link", name="上传新版本").click()
    _upload(page, "审计报告", second, "2025")
    expect(page.get_by_text("第 2 版").first).to_be_visible()
    expect(page.get_by_text("历史版本（1）")).to_be_visible()
    shoot("superseded")
    with page.expect_download() as download:
        page.get_by_role("link", name="2025年度审计报告（更正）.pdf").click()
    assert download.value.suggested_filename == "2025年度审计报告（更正）.pdf"
    assert Path(download.value.path()).read_bytes() == PDF + b"% corrected\n"

    _refuses_bad_files(page, tmp_path, in_live_app, console_errors, shoot)


def test_firm_uploads_and_downloads_its_own(page, live_server, county, in_live_app, console_errors, shoot,
                                           tmp_path):
    license_png = tmp_path / "营业执照.png"
    license_png.write_bytes(PNG)
    log_in(page, live_server, "e2e-doc-firm", PASSWORD)
    page.get_by_role("link", name="我的材料").click()
    _upload(page, "营业执照", license_png)
    expect(page.get_by_role("link", name="营业执照.png")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="营业执照.png").click()
    assert Path(download.value.path()).read_bytes() == PNG
    _refuses_bad_files(page, tmp_path, in_live_app, console_errors, shoot)
    assert "材料测试乙" not in page.content()
