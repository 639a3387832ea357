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
    # notification channels (issue 22): the admin's settings and delivery log, everyone's own choices
    ("/admin/channels/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/channels/", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/channels/messages?channel=sms&status=failed", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/channels/messages/999999/retry", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/account/notifications/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 200}),
    ("/account/notifications/", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 302, Role.FIRM: 302}),
    ("/admin/login-throttles/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/login-throttles/999999/clear", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    # the 入库证书's seal setting (no image uploaded: the image URL is 404 for the admin)
    ("/admin/certificate-seal/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/certificate-seal/", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/certificate-seal/image.png", "GET",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    # indicators: figures pages and forms, submissions, screening
    ("/indicators/firms/{firm}", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/years/new", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/years/new", "POST",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/years/2025", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/years/2025", "POST",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/facts", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/facts", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/submissions/2025/confirm", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/submissions/2025/reject", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/submissions/facts/confirm", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/submissions/facts/reject", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/pending", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/indicators/screening/", "GET", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 302, Role.FIRM: 404}),
    ("/indicators/screening/tech_sme", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/indicators/screening/hnte", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/indicators/screening/hnte/enter", "POST",
     {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 403, Role.FIRM: 404}),
    # a firm's IP items (issue 16): the list, the item form (an empty POST is the form again), an unknown item or
    # 高企 recognition of the firm (404 for staff who may edit), deleting, ticking a recognition's items
    ("/indicators/firms/{firm}/ip", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/ip/new", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/ip/new", "POST",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/ip/999999", "GET",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/ip/999999", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/ip/999999/delete", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 403, Role.FIRM: 404}),
    ("/indicators/firms/{firm}/ip/recognitions/999999", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 403, Role.FIRM: 404}),
    # the firm's own figures in the portal
    ("/portal/figures/", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}),
    ("/portal/figures/years/new", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}),
    ("/portal/figures/years/new", "POST", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}),
    ("/portal/figures/years/2025", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}),
    ("/portal/figures/facts", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}),
    ("/portal/figures/facts", "POST", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 302}),
    # Excel: imports (an upload without a file is a 400 with the form), previews, progress, exports
    ("/excel/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/excel/imports", "POST", {ANON: 302, Role.ADMIN: 400, Role.OFFICER: 400, Role.LEADER: 403, Role.FIRM: 404}),
    ("/excel/results", "POST", {ANON: 302, Role.ADMIN: 400, Role.OFFICER: 400, Role.LEADER: 403, Role.FIRM: 404}),
    ("/excel/imports/unknown-token-000000", "GET",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 404}),
    ("/excel/imports/unknown-token-000000/confirm", "POST",
     {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 403, Role.FIRM: 404}),
    ("/excel/progress/unknown-token-000000", "GET",
     {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/excel/template.xlsx", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/excel/export/firms.xlsx", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/excel/export/pool.xlsx", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
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
    ("/dashboard/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/admin/targets/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/admin/targets/", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}),
    ("/reports/", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
    ("/reports/render", "POST", {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 403, Role.FIRM: 404}),
    ("/reports/renders/0", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 404}),
    ("/reports/2000-01.pdf", "GET", {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 404}),
    ("/reports/archive", "GET", {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}),
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


# Certificates: rows whose URLs need a certificate, a pool record, a batch or a verification code.
STAFF_READ = {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 404}
STAFF_WRITE = {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 302, Role.LEADER: 403, Role.FIRM: 404}
ADMIN_ONLY = {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}
PORTAL = {ANON: 302, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404, Role.FIRM: 200}
PUBLIC = {ANON: 200, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 200}
CERTIFICATE_MATRIX = [
    ("/certificates/", "GET", STAFF_READ),
    ("/certificates/{certificate}", "GET", STAFF_READ),
    ("/certificates/{certificate}/pdf", "GET", STAFF_READ),
    ("/certificates/{certificate}/reissue", "POST", STAFF_WRITE),  # no reason: refused, sent back to the page
    ("/certificates/{certificate}/revoke", "POST", STAFF_WRITE),
    ("/certificates/records/{record}/issue", "POST", STAFF_WRITE),  # already issued: sent to the certificate
    ("/certificates/firms/{firm}/dossier.pdf", "GET", STAFF_READ),
    ("/certificates/batches/", "GET", ADMIN_ONLY),
    ("/certificates/batches/", "POST", ADMIN_ONLY),  # no year chosen: the form again
    ("/certificates/batches/{batch}", "GET", ADMIN_ONLY),
    ("/certificates/batches/{batch}/progress", "GET", ADMIN_ONLY),
    ("/certificates/batches/{batch}/download", "GET", ADMIN_ONLY),
    ("/portal/certificates/", "GET", PORTAL),
    # Another firm's certificate: 404 for the firm user too (its own is tested in tests/certificates).
    ("/portal/certificates/{certificate}/pdf", "GET", {**PORTAL, Role.FIRM: 404}),
    ("/verify/", "GET", PUBLIC),
    ("/verify/{code}", "GET", PUBLIC),
    ("/verify/ABCDEFGHJKLMNPQRSTUV", "GET", {role: 404 for role in PUBLIC}),
]
CERTIFICATE_CASES = [(url, method, role, status) for url, method, expected in CERTIFICATE_MATRIX
                     for role, status in expected.items()]


@pytest.fixture
def certificate_objects(db, make_firm, tmp_path, app, monkeypatch):
    """A pool record with a stored certificate (no rendering: fake bytes) and a finished batch with its ZIP."""
    from datetime import date

    from sqlalchemy import select

    from pipeline.certificates.models import BatchStatus, Certificate, CertificateBatch
    from pipeline.domain.stages import Stage
    from pipeline.funnel.models import FirmTrack, Track

    firm = make_firm()
    record = FirmTrack(firm=firm, track=db.session.scalar(select(Track).where(Track.code == "tech_sme")),
                       stage=Stage.POOL, pool_number="科小-2026-0001")
    db.session.add(record)
    db.session.flush()
    certificate = Certificate(firm_id=firm.id, firm_track_id=record.id, track_id=record.track_id, number="科小-2026-0001",
                              year=2026, issued_on=date(2026, 3, 2), verification_code="K7M2QX9RTD4HWP6VNB3C",
                              snapshot={"firm_name": firm.name, "track_name": "科技型中小企业"}, pdf=b"%PDF-1.7 fake",
                              pdf_sha256="0" * 64)
    archive = tmp_path / "batch.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    batch = CertificateBatch(year=2026, total=1, done=1, status=BatchStatus.DONE, zip_path=str(archive))
    db.session.add_all([certificate, batch])
    db.session.commit()
    monkeypatch.setitem(app.config, "PIPELINE_VERIFY_RATE_LIMIT", 10_000)
    return {"firm": firm.id, "record": record.id, "certificate": certificate.id, "batch": batch.id,
            "code": certificate.verification_code}


@pytest.mark.parametrize(("url", "method", "role", "status"), CERTIFICATE_CASES,
                         ids=[f"{m} {u} {r}" for u, m, r, _ in CERTIFICATE_CASES])
def test_certificate_access(client, login_as, certificate_objects, url, method, role, status):
    if role != ANON:
        login_as(role)
    with client.open(url.format(**certificate_objects), method=method) as response:
        assert response.status_code == status

# Firm documents (issue 20): the firm's page and uploads, downloads, the portal's, the admin's types. An empty POST
# is the form again (422, a new type: 200); another firm's version is 404 for the firm user.
DOCUMENT_MATRIX = [
    ("/documents/firms/{firm}", "GET", STAFF_READ),
    ("/documents/firms/{firm}", "POST", {**STAFF_WRITE, Role.ADMIN: 422, Role.OFFICER: 422}),
    ("/documents/versions/{version}", "GET", STAFF_READ),
    ("/documents/versions/999999", "GET", {**STAFF_READ, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404}),
    ("/portal/documents/", "GET", PORTAL),
    ("/portal/documents/", "POST", {**PORTAL, Role.FIRM: 422}),
    ("/portal/documents/versions/{version}", "GET", {**PORTAL, Role.FIRM: 404}),
    ("/admin/documents/types", "GET", ADMIN_ONLY),
    ("/admin/documents/types/new", "GET", ADMIN_ONLY),
    ("/admin/documents/types/new", "POST", {**ADMIN_ONLY, Role.ADMIN: 200}),
    ("/admin/documents/types/{type}/edit", "GET", ADMIN_ONLY),
    ("/admin/documents/types/{type}/edit", "POST", {**ADMIN_ONLY, Role.ADMIN: 302}),  # the text fields keep their values
    ("/checklist/firms/{firm}", "GET", STAFF_READ),
    ("/portal/checklist/", "GET", PORTAL),
    ("/workbench/", "GET", STAFF_READ),
    ("/workbench/done", "POST", {**STAFF_WRITE, Role.ADMIN: 400, Role.OFFICER: 400}),  # nothing to mark: 400
]
DOCUMENT_CASES = [(url, method, role, status) for url, method, expected in DOCUMENT_MATRIX
                  for role, status in expected.items()]


@pytest.fixture
def document_objects(db, make_firm):
    """A firm with one stored document version (the firm user of the matrix belongs to another firm)."""
    from sqlalchemy import select

    from pipeline.documents.models import Document, DocumentType, DocumentVersion

    firm = make_firm()
    kind = db.session.scalar(select(DocumentType).where(DocumentType.code == "business_license"))
    document = Document(firm_id=firm.id, type_id=kind.id, slot=f"t{kind.id}:y0", latest_number=1)
    db.session.add(document)
    db.session.flush()
    version = DocumentVersion(document_id=document.id, number=1, filename="营业执照.pdf", kind="pdf", size=9,
                              sha256="0" * 64, content=b"%PDF-1.4\n")
    db.session.add(version)
    db.session.commit()
    return {"firm": firm.id, "version": version.id, "type": kind.id}


@pytest.mark.parametrize(("url", "method", "role", "status"), DOCUMENT_CASES,
                         ids=[f"{m} {u} {r}" for u, m, r, _ in DOCUMENT_CASES])
def test_document_access(client, login_as, document_objects, url, method, role, status):
    if role != ANON:
        login_as(role)
    with client.open(url.format(**document_objects), method=method) as response:
        assert response.status_code == status


# Accounts (issue 19): the admin's user pages and audit log, everyone's own two-factor pages, the public account
# pages (an unknown token is a 404; without a pending login the code page sends to the login).
EVERYONE = {ANON: 302, Role.ADMIN: 200, Role.OFFICER: 200, Role.LEADER: 200, Role.FIRM: 200}
ADMIN_POST = {ANON: 302, Role.ADMIN: 302, Role.OFFICER: 403, Role.LEADER: 403, Role.FIRM: 404}
ACCOUNT_MATRIX = [
    ("/admin/users/", "GET", ADMIN_ONLY),
    ("/admin/users/?q=x&role=officer&town=1&active=1&two_factor=0", "GET", ADMIN_ONLY),
    ("/admin/users/new", "GET", ADMIN_ONLY),
    ("/admin/users/new", "POST", {**ADMIN_ONLY, Role.ADMIN: 422}),  # an empty form: its errors, nothing created
    ("/admin/users/{user}", "GET", ADMIN_ONLY),
    ("/admin/users/{user}", "POST", ADMIN_POST),  # an empty POST keeps the values: back to the page
    ("/admin/users/999999", "GET", {**ADMIN_ONLY, Role.ADMIN: 404}),
    ("/admin/users/{user}/disable", "POST", ADMIN_POST),
    ("/admin/users/{user}/enable", "POST", ADMIN_POST),
    ("/admin/users/{user}/invitation", "POST", ADMIN_POST),  # has a password: refused with a message
    ("/admin/users/{user}/invitation/revoke", "POST", ADMIN_POST),
    ("/admin/users/{user}/two-factor/reset", "POST", ADMIN_POST),
    ("/admin/users/999999/disable", "POST", {**ADMIN_POST, Role.ADMIN: 404}),
    ("/admin/users/settings", "GET", ADMIN_ONLY),
    ("/admin/users/settings", "POST", ADMIN_POST),
    ("/admin/audit/", "GET", ADMIN_ONLY),
    ("/admin/audit/export.xlsx", "GET", ADMIN_ONLY),
    ("/account/2fa/", "GET", EVERYONE),
    ("/account/2fa/setup", "GET", EVERYONE),
    ("/account/2fa/setup", "POST", {**EVERYONE, **{role: 422 for role in Role}}),  # no code
    ("/account/2fa/disable", "POST", {**EVERYONE, **{role: 302 for role in Role}}),  # not enrolled: a message
    ("/account/forgot", "GET", PUBLIC),
    ("/account/forgot", "POST", {role: 422 for role in PUBLIC}),  # nothing typed
    ("/account/setup/unknown-token-000000", "GET", {role: 404 for role in PUBLIC}),
    ("/account/setup/unknown-token-000000", "POST", {role: 404 for role in PUBLIC}),
    ("/account/reset/unknown-token-000000", "GET", {role: 404 for role in PUBLIC}),
    ("/account/reset/unknown-token-000000", "POST", {role: 404 for role in PUBLIC}),
    ("/account/login/code", "GET", {role: 302 for role in PUBLIC}),  # no login waiting for its code
    ("/account/login/code", "POST", {role: 302 for role in PUBLIC}),
    # bulk invitations of firm contacts: admins and officers (an upload without a file, a send without rows: 400)
    ("/firms/invitations/", "GET", {**STAFF_READ, Role.LEADER: 403}),
    ("/firms/invitations/?town=1&q=x", "GET", {**STAFF_READ, Role.LEADER: 403}),
    ("/firms/invitations/upload", "POST", {**STAFF_WRITE, Role.ADMIN: 400, Role.OFFICER: 400}),
    ("/firms/invitations/send", "POST", {**STAFF_WRITE, Role.ADMIN: 400, Role.OFFICER: 400}),
]
ACCOUNT_CASES = [(url, method, role, status) for url, method, expected in ACCOUNT_MATRIX
                 for role, status in expected.items()]


@pytest.mark.parametrize(("url", "method", "role", "status"), ACCOUNT_CASES,
                         ids=[f"{m} {u} {r}" for u, m, r, _ in ACCOUNT_CASES])
def test_account_access(client, login_as, make_user, db, url, method, role, status):
    user = make_user(Role.OFFICER)
    db.session.commit()
    if role != ANON:
        login_as(role)
    with client.open(url.format(user=user.id), method=method) as response:
        assert response.status_code == status


# 惠企政策 (issue 25): the catalogue (officers of the whole county and admins write it; leaders read), the ledger,
# and the firm's 可享受的政策. An empty form is shown again (422); a refused action is a message (302).
CATALOGUE_WRITE = {**STAFF_READ, Role.LEADER: 403}
POLICY_MATRIX = [
    ("/policies/", "GET", STAFF_READ),
    ("/policies/new", "GET", CATALOGUE_WRITE),
    ("/policies/new", "POST", {**STAFF_WRITE, Role.ADMIN: 422, Role.OFFICER: 422}),
    ("/policies/{policy}", "GET", STAFF_READ),
    ("/policies/999999", "GET", {**STAFF_READ, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404}),
    ("/policies/{policy}/edit", "GET", CATALOGUE_WRITE),
    ("/policies/{policy}/edit", "POST", {**STAFF_WRITE, Role.ADMIN: 422, Role.OFFICER: 422}),
    ("/policies/{policy}/attachment", "GET", STAFF_READ),
    ("/policies/{policy}/publish", "POST", STAFF_WRITE),  # already published: a message
    ("/policies/{policy}/withdraw", "POST", STAFF_WRITE),
    ("/policies/{policy}/push", "POST", STAFF_WRITE),
    ("/policies/{policy}/budget", "POST", STAFF_WRITE),
    ("/policies/{policy}/incentives", "POST", STAFF_WRITE),
    ("/policies/incentives", "GET", STAFF_READ),
    ("/policies/incentives?year=2026&status=paid", "GET", STAFF_READ),
    ("/policies/incentives.xlsx", "GET", STAFF_READ),
    ("/policies/incentives/{incentive}", "GET", STAFF_READ),
    ("/policies/incentives/999999", "GET", {**STAFF_READ, Role.ADMIN: 404, Role.OFFICER: 404, Role.LEADER: 404}),
    ("/policies/incentives/{incentive}/approve", "POST", {**STAFF_WRITE, Role.ADMIN: 422, Role.OFFICER: 422}),
    ("/policies/incentives/{incentive}/pay", "POST", {**STAFF_WRITE, Role.ADMIN: 422, Role.OFFICER: 422}),
    ("/policies/incentives/{incentive}/decline", "POST", {**STAFF_WRITE, Role.ADMIN: 422, Role.OFFICER: 422}),
    ("/portal/policies/", "GET", PORTAL),
    ("/portal/policies/{policy}", "GET", PORTAL),
    ("/portal/policies/{draft}", "GET", {**PORTAL, Role.FIRM: 404}),  # not published: not for firms
    ("/portal/policies/{policy}/attachment", "GET", PORTAL),
    ("/portal/policies/notices", "POST", {**PORTAL, Role.FIRM: 302}),
]
POLICY_CASES = [(url, method, role, status) for url, method, expected in POLICY_MATRIX
                for role, status in expected.items()]


@pytest.fixture
def policy_objects(db, make_firm, make_user):
    """A published policy with its document, a draft, and an incentive of a firm (not the matrix's firm user's)."""
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from pipeline.domain.policy import PolicyConditions
    from pipeline.policies.ledger import propose_incentive
    from pipeline.policies.services import publish_policy, save_policy

    now, author = datetime(2026, 6, 30, 2, tzinfo=UTC), make_user()
    values = dict(title="首次认定高企奖励", issuer="新昌县人民政府", document_number="新政发〔2022〕1号",
                  effective_from=date(2022, 1, 1), effective_to=None, summary="", next_step="", benefit_kind="fixed",
                  benefit_amount=Decimal("20"), benefit_rate=None, benefit_cap=None, benefit_text="", is_award=False)
    policy = save_policy(None, values, PolicyConditions(), actor=author, now=now)
    policy.attachment, policy.attachment_kind, policy.attachment_name = b"%PDF-1.7\n", "pdf", "新政发.pdf"
    publish_policy(policy, now=now)
    draft = save_policy(None, {**values, "title": "草稿"}, PolicyConditions(), actor=author, now=now)
    incentive = propose_incentive(policy, make_firm().id, 2026, Decimal("20"), actor=author, now=now)
    db.session.commit()
    return {"policy": policy.id, "draft": draft.id, "incentive": incentive.id}


@pytest.mark.parametrize(("url", "method", "role", "status"), POLICY_CASES,
                         ids=[f"{m} {u} {r}" for u, m, r, _ in POLICY_CASES])
def test_policy_access(client, login_as, policy_objects, url, method, role, status):
    if role != ANON:
        login_as(role)
    with client.open(url.format(**policy_objects), method=method) as response:
        assert response.status_code == status
