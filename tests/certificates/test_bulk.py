"""insert_pending_certificates(): the missing 入库证书 of a whole county, as issue_admission_certificate would give them."""

from sqlalchemy import func, select

from pipeline.bulk_county import build_county
from pipeline.certificates.bulk import insert_pending_certificates
from pipeline.certificates.models import Certificate, CertificateStatus
from pipeline.certificates.services import ADMITTED_STAGES, certificate_pdf, issue_admission_certificate
from pipeline.funnel.models import FirmTrack
from tests.certificates.conftest import NOW
from tests.certificates.pdfcheck import pdftotext


def pool_records(db):
    return db.session.scalars(select(FirmTrack).where(FirmTrack.stage.in_(ADMITTED_STAGES),
                                                      FirmTrack.pool_number.is_not(None))).all()


def test_the_bulk_county_gets_one_valid_unrendered_certificate_per_pool_record(db):
    counts = build_county(300, now=NOW)
    records = pool_records(db)
    certificates = db.session.scalars(select(Certificate)).all()
    assert len(records) > 20 and counts["certificates"] == len(certificates) == len(records)
    by_record = {c.firm_track_id: c for c in certificates}
    for record in records:
        certificate = by_record[record.id]
        assert (certificate.number, certificate.status, certificate.firm_id) == (
            record.pool_number, CertificateStatus.VALID, record.firm_id)
        assert certificate.snapshot["firm_name"] == record.firm.name
        assert certificate.snapshot["verify_url"].endswith(f"/verify/{certificate.verification_code}")
        assert certificate.pdf is None and certificate.pdf_sha256 is None
    assert len({c.verification_code for c in certificates}) == len(certificates)


def test_only_records_without_a_valid_certificate_get_one(db, make_record):
    issued = issue_admission_certificate(make_record(), actor=None, now=NOW)
    missing = make_record()
    make_record(number=None), make_record(stage="screening")
    assert insert_pending_certificates(NOW) == 1
    assert insert_pending_certificates(NOW) == 0
    bulk = db.session.scalar(select(Certificate).where(Certificate.firm_track_id == missing.id))
    assert db.session.scalar(select(func.count(Certificate.id))) == 2
    # The same rules as one issue: year and day of `now`, the same snapshot keys.
    assert (bulk.year, bulk.issued_on, bulk.issued_at) == (issued.year, issued.issued_on, issued.issued_at)
    assert bulk.snapshot.keys() == issued.snapshot.keys()
    assert missing.firm.name in pdftotext(certificate_pdf(bulk))
