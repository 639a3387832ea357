"""Issue, re-issue and revoke, directly and through the funnel's stage_changed signal."""

import hashlib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from pipeline.auth.models import Role
from pipeline.certificates.models import Certificate, CertificateStatus
from pipeline.certificates.services import (
    CODE_ALPHABET,
    CertificateError,
    certificate_pdf,
    issue_admission_certificate,
    new_verification_code,
    normalize_code,
    reissue_after_rename,
    reissue_certificate,
    revoke_certificate,
)
from pipeline.domain.stages import ExitReason, Stage
from tests.certificates.conftest import NOW
from tests.certificates.pdfcheck import pdftotext

LATER = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)


def test_issue_stores_the_snapshot_and_renders_the_pdf_on_first_use(db, issue, make_user, monkeypatch):
    from pipeline.certificates import services

    rendered = []
    real = services.render_pdf
    monkeypatch.setattr(services, "render_pdf", lambda *args, **kwargs: rendered.append(1) or real(*args, **kwargs))
    officer = make_user(Role.OFFICER)
    certificate = issue(actor=officer)
    assert not rendered and certificate.pdf is None and certificate.pdf_sha256 is None
    record = certificate.record
    assert certificate.status is CertificateStatus.VALID
    assert certificate.number == record.pool_number and certificate.year == 2026
    assert certificate.issued_on == date(2026, 3, 2)  # NOW in Xinchang
    assert certificate.issued_by_id == officer.id
    assert certificate.snapshot["firm_name"] == record.firm.name
    assert certificate.snapshot["number"] == record.pool_number
    assert certificate.snapshot["verify_url"].endswith(f"/verify/{certificate.verification_code}")
    pdf = certificate_pdf(certificate)
    db.session.commit()
    assert rendered == [1] and pdf.startswith(b"%PDF")
    assert certificate.pdf == pdf and certificate.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert certificate_pdf(certificate) == pdf and rendered == [1]  # stored: not rendered again


def test_issuing_twice_returns_the_valid_copy(db, issue):
    first = issue()
    again = issue_admission_certificate(first.record, actor=None, now=LATER)
    assert again.id == first.id
    assert db.session.scalar(select(Certificate.id).where(Certificate.id != first.id)) is None


def test_admitted_again_under_a_new_number_the_old_copy_gives_way(db, issue):
    first = issue()
    record = first.record
    record.pool_number = "科小-2026-9999"
    second = issue_admission_certificate(record, actor=None, now=LATER)
    db.session.commit()
    assert second.id != first.id and second.number == "科小-2026-9999" and second.status is CertificateStatus.VALID
    assert first.status is CertificateStatus.SUPERSEDED and first.superseded_at == LATER


def test_no_certificate_without_pool_number_or_outside_the_pool(db, make_record):
    with pytest.raises(CertificateError):
        issue_admission_certificate(make_record(number=None), actor=None, now=NOW)
    with pytest.raises(CertificateError):
        issue_admission_certificate(make_record(stage=Stage.SCREENING), actor=None, now=NOW)


def test_verification_codes_carry_at_least_80_bits():
    code = new_verification_code()
    assert len(CODE_ALPHABET) == 32 and len(code) == 20  # 20 × 5 = 100 bits
    assert set(code) <= set(CODE_ALPHABET)
    assert len({new_verification_code() for _ in range(200)}) == 200
    assert normalize_code(f" {code[:5].lower()}-{code[5:]} ") == code
    assert normalize_code("ABC") is None and normalize_code("I" * 20) is None


def test_reissue_after_rename_keeps_number_and_validity(db, issue, make_user):
    original = issue()
    firm = original.firm
    firm.name = "新昌垚鑫智能装备股份有限公司"
    officer = make_user(Role.OFFICER)
    new = reissue_certificate(original, actor=officer, now=LATER, reason="企业更名")
    db.session.commit()
    assert new.number == original.number
    assert (new.year, new.issued_on) == (original.year, original.issued_on)
    assert new.verification_code != original.verification_code
    assert original.status is CertificateStatus.SUPERSEDED and original.superseded_at == LATER
    assert new.status is CertificateStatus.VALID and new.supersedes_id == original.id
    assert new.reissue_reason == "企业更名"
    assert "企业名称：" in new.change_note and "新昌垚鑫智能装备股份有限公司" in new.change_note
    text = pdftotext(certificate_pdf(new))
    assert "新昌垚鑫智能装备股份有限公司" in text and original.number in text and "换发" in text
    assert new.snapshot["reissued_on"] == "2026-09-01"


def test_reissue_after_rename_helper_reissues_every_valid_certificate(db, issue):
    original = issue()
    old_name = original.firm.name
    original.firm.name = "浙江新名称有限公司"
    (new,) = reissue_after_rename(original.firm, actor=None, now=LATER, old_name=old_name)
    assert new.firm_name == "浙江新名称有限公司" and old_name in new.reissue_reason


def test_only_valid_certificates_are_reissued_or_revoked_and_a_reason_is_needed(db, issue):
    certificate = issue()
    with pytest.raises(CertificateError):
        reissue_certificate(certificate, actor=None, now=LATER, reason="  ")
    with pytest.raises(CertificateError):
        revoke_certificate(certificate, actor=None, now=LATER, reason="")
    revoke_certificate(certificate, actor=None, now=LATER, reason="弄虚作假")
    with pytest.raises(CertificateError):
        reissue_certificate(certificate, actor=None, now=LATER, reason="更名")
    with pytest.raises(CertificateError):
        revoke_certificate(certificate, actor=None, now=LATER, reason="再次")


def test_revoke_records_who_when_and_why(db, issue, make_user):
    certificate = issue()
    officer = make_user(Role.OFFICER)
    revoke_certificate(certificate, actor=officer, now=LATER, reason="企业迁出本县")
    assert certificate.status is CertificateStatus.REVOKED
    assert (certificate.revoked_at, certificate.revoked_by_id, certificate.revoked_reason) == (
        LATER, officer.id, "企业迁出本县")


def test_entering_the_pool_issues_the_certificate(db, make_record, move, make_user):
    record = make_record(stage=Stage.SCREENING)
    officer = make_user(Role.OFFICER)
    move(record, Stage.POOL, actor=officer)
    db.session.commit()
    (certificate,) = db.session.scalars(select(Certificate)).all()
    assert certificate.firm_track_id == record.id and certificate.number == record.pool_number
    assert certificate.issued_by_id == officer.id and certificate.status is CertificateStatus.VALID


def test_moving_on_within_the_pool_issues_nothing_new(db, make_record, move):
    record = make_record(stage=Stage.SCREENING)
    move(record, Stage.POOL)
    move(record, Stage.CULTIVATING)
    move(record, Stage.POOL)
    assert len(db.session.scalars(select(Certificate)).all()) == 1


def test_leaving_the_pool_revokes_the_certificate(db, issue, move):
    certificate = issue()
    move(certificate.record, Stage.REMOVED, now=LATER, reason_code=ExitReason.MOVED_AWAY.value, note="迁往绍兴市区")
    db.session.commit()
    assert certificate.status is CertificateStatus.REVOKED
    assert certificate.revoked_reason == "企业出库（迁出）：迁往绍兴市区"
    assert certificate.revoked_at == LATER


def test_entering_the_pool_does_not_render_so_broken_fonts_do_not_block_the_move(db, make_record, move,
                                                                                 monkeypatch):
    from pipeline.certificates import services
    from pipeline.pdf import PdfError

    def broken(*args, **kwargs):
        raise PdfError("fonts missing")

    monkeypatch.setattr(services, "render_pdf", broken)
    record = make_record(stage=Stage.SCREENING)
    move(record, Stage.POOL)
    db.session.commit()
    assert record.stage is Stage.POOL
    (certificate,) = db.session.scalars(select(Certificate)).all()
    assert certificate.status is CertificateStatus.VALID and certificate.pdf is None
    with pytest.raises(PdfError):
        certificate_pdf(certificate)


def test_at_most_one_valid_copy_per_record(db, issue):
    certificate = issue()
    twin = Certificate(firm_id=certificate.firm_id, firm_track_id=certificate.firm_track_id,
                       track_id=certificate.track_id, number=certificate.number, year=2026, issued_on=date(2026, 3, 2),
                       verification_code=new_verification_code(), snapshot={}, pdf=b"x", pdf_sha256="0" * 64)
    db.session.add(twin)
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_a_verification_code_drawn_twice_is_drawn_again(db, make_firm, place_firm, monkeypatch):
    from pipeline.certificates import services

    place_firm(make_firm(), "tech_sme", Stage.POOL)
    taken = db.session.scalar(select(Certificate.verification_code))
    codes = iter([taken, "FRESHCODE0000001"])
    monkeypatch.setattr(services, "new_verification_code", lambda: next(codes))
    record = place_firm(make_firm(), "tech_sme", Stage.POOL)
    issued = db.session.scalar(select(Certificate).where(Certificate.firm_track_id == record.id))
    assert issued.verification_code == "FRESHCODE0000001" and issued.status is CertificateStatus.VALID
