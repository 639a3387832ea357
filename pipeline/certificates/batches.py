"""Batch re-issue (e.g. every certificate of a year) outside the request, with progress in the database and a ZIP.

The web page starts a thread (start_batch_thread) and polls progress; `flask certificates reissue` runs the same
run_batch() in the foreground. Each certificate is one unit of work: re-issued, written to the ZIP, committed with
the progress. A batch whose worker died shows as interrupted (no heartbeat for STALE_AFTER), and a new one may start.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from pipeline.auth.models import User
from pipeline.certificates.models import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateKind,
    CertificateStatus,
)
from pipeline.certificates.services import CertificateError, certificate_pdf, reissue_certificate
from pipeline.db import utcnow
from pipeline.extensions import db
from pipeline.hygiene import download_name
from pipeline.sheet_cells import neutralise_row

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=10)
_threads: dict[int, threading.Thread] = {}


def _targets(year: int, before: datetime):
    return select(Certificate.id).where(
        Certificate.year == year, Certificate.kind == CertificateKind.ADMISSION,
        Certificate.status == CertificateStatus.VALID, Certificate.issued_at < before)


def is_stale(batch: CertificateBatch, now: datetime) -> bool:
    last = batch.heartbeat_at or batch.created_at
    return batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING) and now - last > STALE_AFTER


def active_batch(now: datetime) -> CertificateBatch | None:
    stmt = select(CertificateBatch).where(CertificateBatch.status.in_((BatchStatus.QUEUED, BatchStatus.RUNNING)))
    return next((b for b in db.session.scalars(stmt) if not is_stale(b, now)), None)


def create_batch(year: int, *, actor, now: datetime, reason: str) -> CertificateBatch:
    """Plan a re-issue of the valid certificates of one year; refuse while another batch runs."""
    if active_batch(now) is not None:
        raise CertificateError(_("已有批量换发任务正在进行，请等待其完成。"))
    total = db.session.scalar(select(func.count()).select_from(_targets(year, now).subquery()))
    if not total:
        raise CertificateError(_("%(year)s 年度没有有效的入库证书。", year=year))
    batch = CertificateBatch(year=year, reason=reason.strip() or "批量换发", total=total, created_at=now,
                             created_by_id=actor.id if actor else None, heartbeat_at=now)
    db.session.add(batch)
    db.session.flush()
    return batch


def run_batch(batch_id: int, *, out_dir: Path, progress=None) -> CertificateBatch:
    """Re-issue every target of the batch into a ZIP; commit per certificate. Call inside an app context."""
    batch = db.session.get(CertificateBatch, batch_id)
    batch.status, batch.heartbeat_at = BatchStatus.RUNNING, utcnow()
    db.session.commit()
    out_dir.mkdir(parents=True, exist_ok=True)
    final = zip_path(batch, out_dir)
    partial = final.with_suffix(".part")
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(neutralise_row(["证书编号", "企业名称", "统一社会信用代码", "验证码", "SHA-256"]))
    try:
        ids = list(db.session.scalars(_targets(batch.year, batch.created_at).order_by(Certificate.number)))
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            for certificate_id in ids:
                _reissue_one(batch, certificate_id, archive, writer)
                if progress:
                    progress(batch)
            archive.writestr("清单.csv", "\ufeff" + manifest.getvalue())
        partial.replace(final)
        batch.status, batch.zip_path, batch.finished_at = BatchStatus.DONE, str(final), utcnow()
        db.session.commit()
    except Exception as exc:  # the batch must end in a state the page can show, whatever went wrong
        db.session.rollback()
        log.exception("certificate batch %s failed", batch_id)
        batch = db.session.get(CertificateBatch, batch_id)
        batch.status, batch.error, batch.finished_at = BatchStatus.FAILED, str(exc)[:1000], utcnow()
        db.session.commit()
        partial.unlink(missing_ok=True)
    return batch


def zip_path(batch: CertificateBatch, out_dir: Path) -> Path:
    return out_dir / f"certificates-{batch.year}-batch-{batch.id}.zip"


def remove_old_batch_files(now: datetime, *, keep: timedelta, out_dir: Path) -> int:
    """Delete the ZIPs of batches that ended more than `keep` ago, and what an interrupted or failed run left
    there: a year's ZIP holds every certificate's PDF, and each copy stays downloadable on its own from the
    database. The batch page then says the ZIP was removed. Returns how many files were deleted."""
    removed = 0
    for batch in db.session.scalars(select(CertificateBatch)):
        ended = batch.finished_at or batch.heartbeat_at or batch.created_at
        if ended >= now - keep or (batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)
                                   and not is_stale(batch, now)):
            continue
        final = zip_path(batch, out_dir)  # also when a run died between writing it and recording it
        paths = {final, final.with_suffix(".part")} | ({Path(batch.zip_path)} if batch.zip_path else set())
        for path in paths:
            if path.is_file():
                path.unlink()
                removed += 1
        batch.zip_path = ""
    db.session.commit()
    return removed


def remove_old_batch_files_job(now: datetime) -> str:
    """Scheduler job (pipeline/scheduler.py: JOBS)."""
    days = current_app.config["CERTIFICATE_BATCH_KEEP_DAYS"]
    removed = remove_old_batch_files(now, keep=timedelta(days=days), out_dir=batch_dir())
    return f"删除 {removed} 个超过 {days} 天的批量换发文件"


def _reissue_one(batch: CertificateBatch, certificate_id: int, archive, writer) -> None:
    certificate = db.session.get(Certificate, certificate_id)
    new = None
    if certificate.status is CertificateStatus.VALID:  # revoked or re-issued meanwhile: leave it
        actor = db.session.get(User, batch.created_by_id) if batch.created_by_id else None
        new = reissue_certificate(certificate, actor=actor, now=utcnow(), reason=batch.reason)
        name = download_name(f"{new.number}-{new.firm_name}.pdf")
        archive.writestr(name, certificate_pdf(new))
        writer.writerow(neutralise_row([new.number, new.firm_name, new.snapshot.get("credit_code", ""),
                                        new.verification_code, new.pdf_sha256]))
    batch.done += 1
    batch.heartbeat_at = utcnow()
    db.session.commit()
    for done in (certificate, new):  # keep memory flat over 500 PDFs
        if done is not None:
            db.session.expunge(done)


def batch_dir(app: Flask | None = None) -> Path:
    return Path((app or current_app).config["CERTIFICATE_BATCH_DIR"])


def start_batch_thread(app: Flask, batch_id: int) -> threading.Thread:
    """Run the batch in a background thread of this process, with its own app context and session."""
    def work():
        with app.app_context():
            try:
                run_batch(batch_id, out_dir=batch_dir(app))
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, name=f"certificate-batch-{batch_id}", daemon=True)
    _threads[batch_id] = thread
    thread.start()
    return thread


def wait_for_batches(timeout: float = 120) -> None:
    """Join the batch threads this process started (tests, and a clean shutdown)."""
    for batch_id, thread in list(_threads.items()):
        thread.join(timeout)
        _threads.pop(batch_id, None)


def batch_progress(batch: CertificateBatch, now: datetime) -> dict:
    stale, done = is_stale(batch, now), batch.status is BatchStatus.DONE
    ready = done and bool(batch.zip_path) and Path(batch.zip_path).is_file()
    return {
        "id": batch.id, "status": "interrupted" if stale else batch.status.value, "done": batch.done,
        "total": batch.total, "percent": int(100 * batch.done / batch.total) if batch.total else 100,
        "error": batch.error, "ready": ready, "removed": done and not ready,
    }
