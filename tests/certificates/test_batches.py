"""Batch re-issue: in the background from the web page (progress, ZIP) and from the command line."""

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline.auth.models import Role
from pipeline.certificates.batches import create_batch, is_stale, wait_for_batches
from pipeline.certificates.models import BatchStatus, Certificate, CertificateBatch, CertificateStatus
from pipeline.certificates.services import CertificateError, revoke_certificate


@pytest.fixture
def batch_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_BATCH_DIR", str(tmp_path / "batches"))
    return tmp_path / "batches"


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_web_batch_runs_in_the_background_and_offers_a_zip(client, login_as, issue, db, batch_dir):
    originals = [issue() for _ in range(3)]
    revoke_certificate(originals[2], actor=None, now=datetime.now(UTC), reason="出库")
    db.session.commit()
    login_as(Role.ADMIN)
    form = client.get("/certificates/batches/").get_data(as_text=True)
    assert "2026" in form
    response = client.post("/certificates/batches/", data={"year": "2026", "reason": "年度批量换发"})
    assert response.status_code == 302
    wait_for_batches()
    batch = db.session.scalar(select(CertificateBatch))
    progress = client.get(f"/certificates/batches/{batch.id}/progress").get_json()
    assert progress == {"id": batch.id, "status": "done", "done": 2, "total": 2, "percent": 100, "error": "",
                        "ready": True, "removed": False}
    assert "下载 ZIP" in client.get(f"/certificates/batches/{batch.id}").get_data(as_text=True)
    with client.get(f"/certificates/batches/{batch.id}/download") as download:
        assert download.status_code == 200 and download.mimetype == "application/zip"
        files = read_zip(download.data)
    pdfs = {name: data for name, data in files.items() if name.endswith(".pdf")}
    assert len(pdfs) == 2 and all(data.startswith(b"%PDF") for data in pdfs.values())
    from pipeline.audit.models import AuditEvent  # who downloaded the ZIP of firm certificates is audited

    assert db.session.scalar(select(AuditEvent.details).where(AuditEvent.kind == "export")) == {
        "export": f"certificate_batch_{batch.id}.zip"}
    manifest = list(csv.reader(io.StringIO(files["清单.csv"].decode("utf-8-sig"))))
    assert manifest[0][0] == "证书编号" and len(manifest) == 3
    new = db.session.scalars(select(Certificate).where(Certificate.status == CertificateStatus.VALID)).all()
    assert {c.number for c in new} == {originals[0].number, originals[1].number}
    assert {row[3] for row in manifest[1:]} == {c.verification_code for c in new}
    assert all(c.supersedes_id and c.reissue_reason == "年度批量换发" for c in new)


def test_only_one_batch_at_a_time_and_a_dead_one_is_shown_interrupted(db, issue):
    issue()
    now = datetime(2026, 3, 3, tzinfo=UTC)
    first = create_batch(2026, actor=None, now=now, reason="x")
    with pytest.raises(CertificateError, match="正在进行"):
        create_batch(2026, actor=None, now=now + timedelta(minutes=1), reason="x")
    assert is_stale(first, now + timedelta(minutes=11))
    assert create_batch(2026, actor=None, now=now + timedelta(minutes=11), reason="x").id != first.id


def test_a_year_without_certificates_is_refused(db):
    with pytest.raises(CertificateError, match="没有有效"):
        create_batch(2031, actor=None, now=datetime.now(UTC), reason="x")


def test_cli_reissue_writes_a_zip(runner, issue, db, batch_dir, tmp_path):
    expected = sorted(f"{c.number}-{c.firm.name}.pdf" for c in (issue(), issue()))
    output = tmp_path / "out.zip"
    result = runner.invoke(args=["certificates", "reissue", "--year", "2026", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "2/2" in result.output and str(output) in result.output
    files = read_zip(output.read_bytes())
    assert sorted(name for name in files if name.endswith(".pdf")) == expected
    assert db.session.scalar(select(func.count(Certificate.id)).where(
        Certificate.status == CertificateStatus.SUPERSEDED)) == 2
    assert db.session.scalar(select(CertificateBatch.status)) is BatchStatus.DONE


def test_cli_refuses_an_empty_year(runner, db):
    result = runner.invoke(args=["certificates", "reissue", "--year", "2030"])
    assert result.exit_code != 0 and "没有有效" in result.output


def test_a_failing_batch_ends_failed_and_keeps_what_was_done(db, issue, batch_dir, monkeypatch):
    from pipeline.certificates import batches

    issue(), issue()
    batch = create_batch(2026, actor=None, now=datetime.now(UTC), reason="x")
    db.session.commit()
    calls = []
    real = batches.reissue_certificate

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(batches, "reissue_certificate", flaky)
    result = batches.run_batch(batch.id, out_dir=batch_dir)
    assert result.status is BatchStatus.FAILED and "disk full" in result.error and result.done == 1
    assert not list(batch_dir.glob("*.zip")) and not list(batch_dir.glob("*.part"))


def test_old_batch_zips_are_removed_and_the_page_says_so(client, login_as, issue, db, batch_dir, app):
    """The daily job deletes a ZIP 30 days (CERTIFICATE_BATCH_KEEP_DAYS) after its batch ended, and what a dead run
    left behind; a younger ZIP and a running batch's file stay. The certificates themselves are untouched."""
    from pipeline.certificates.batches import remove_old_batch_files_job, run_batch, zip_path

    issue(), issue()
    now = datetime.now(UTC)
    old = run_batch(create_batch(2026, actor=None, now=datetime.now(UTC), reason="x").id, out_dir=batch_dir)
    young = run_batch(create_batch(2026, actor=None, now=datetime.now(UTC), reason="y").id, out_dir=batch_dir)
    dead = create_batch(2026, actor=None, now=datetime.now(UTC), reason="z")
    dead.status, dead.heartbeat_at = BatchStatus.RUNNING, now - timedelta(days=40)  # its worker died long ago
    db.session.commit()
    dead_part = zip_path(dead, batch_dir).with_suffix(".part")
    dead_part.write_bytes(b"partial")
    # A run that died after finishing its ZIP but before recording it: the file is found by its name.
    unrecorded = create_batch(2026, actor=None, now=datetime.now(UTC), reason="w")
    unrecorded.status, unrecorded.error = BatchStatus.FAILED, "数据库连接中断"
    unrecorded.finished_at = now - timedelta(days=45)
    db.session.commit()
    unrecorded_zip = zip_path(unrecorded, batch_dir)
    unrecorded_zip.write_bytes(b"PK")
    old.finished_at = now - timedelta(days=31)
    young.finished_at = now - timedelta(days=29)
    db.session.commit()
    old_zip, young_zip = Path(old.zip_path), Path(young.zip_path)
    valid = db.session.scalar(select(func.count(Certificate.id)).where(Certificate.status == CertificateStatus.VALID))
    assert "删除 3 个" in remove_old_batch_files_job(now)
    assert not old_zip.exists() and not dead_part.exists() and not unrecorded_zip.exists() and young_zip.is_file()
    assert db.session.scalar(select(func.count(Certificate.id)).where(
        Certificate.status == CertificateStatus.VALID)) == valid
    login_as(Role.ADMIN)
    page = client.get(f"/certificates/batches/{old.id}").get_data(as_text=True)
    assert "ZIP 文件已不在服务器上" in page and "30 天" in page and "下载 ZIP" not in page and "后台运行" not in page
    assert client.get(f"/certificates/batches/{old.id}/download").status_code == 404
    assert "ZIP 已清理" in client.get("/certificates/batches/").get_data(as_text=True)
    assert "下载 ZIP" in client.get(f"/certificates/batches/{young.id}").get_data(as_text=True)
    assert "删除 0 个" in remove_old_batch_files_job(now)  # nothing left to do: the next run is a no-op
