"""What a certificate PDF shows, as plain values, and the small pure helpers that lay it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

_DIGITS = "〇一二三四五六七八九"


def chinese_numeral_date(day: date) -> str:
    """Write a date the way an official seal line does: 二〇二六年十一月二十八日."""
    def small(n: int) -> str:
        tens, ones = divmod(n, 10)
        return (("" if tens == 1 else _DIGITS[tens]) + "十" if tens else "") + (_DIGITS[ones] if ones else "")

    year = "".join(_DIGITS[int(ch)] for ch in str(day.year))
    return f"{year}年{small(day.month)}月{small(day.day)}日"


def chinese_date(day: date | None) -> str:
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


def group_code(code: str) -> str:
    """ABCDEFGHJKLMNPQRSTUV → ABCDE-FGHJK-LMNPQ-RSTUV: easier to read aloud and to type."""
    return "-".join(code[i:i + 5] for i in range(0, len(code), 5))


@dataclass(frozen=True)
class CertificateDocument:
    """Everything the 入库证书 shows; rendered by templates/pdf/certificate.html."""

    firm_name: str
    credit_code: str
    track_name: str
    number: str
    year: int
    issued_on: date
    reissued_on: date | None
    authority: str
    verification_code: str
    verify_url: str
    verify_base_url: str
    qr_svg: str
    seal_image: str  # data: URL of the bureau's uploaded 电子印章, or "" (the seal setting is off)

    @property
    def issued_on_text(self) -> str:
        return chinese_date(self.issued_on)

    @property
    def seal_date_text(self) -> str:
        return chinese_numeral_date(self.issued_on)

    @property
    def reissued_on_text(self) -> str:
        return chinese_date(self.reissued_on)

    @property
    def code_text(self) -> str:
        return group_code(self.verification_code)


def verify_url(external_url: str, verification_code: str) -> str:
    return f"{external_url.rstrip('/')}/verify/{verification_code}"


def certificate_snapshot(*, firm_name: str, credit_code: str, track_name: str, number: str, year: int,
                         issued_on: date, reissued_on: date | None, authority: str, verification_code: str,
                         external_url: str) -> dict:
    """The values a copy is printed from, JSON-ready: stored with the copy, which is rendered from them later."""
    return {
        "firm_name": firm_name, "credit_code": credit_code, "track_name": track_name, "number": number,
        "year": year, "issued_on": issued_on.isoformat(), "reissued_on": reissued_on.isoformat() if reissued_on else None,
        "authority": authority, "verify_url": verify_url(external_url, verification_code),
    }


def certificate_document(snapshot: dict, verification_code: str, *, seal_image: str = "") -> CertificateDocument:
    """What the PDF of a stored copy shows: its snapshot, the QR code derived from it, and the seal if one is set."""
    from pipeline.pdf import qr_svg

    url = snapshot["verify_url"]
    reissued_on = snapshot.get("reissued_on")
    return CertificateDocument(
        firm_name=snapshot["firm_name"], credit_code=snapshot["credit_code"], track_name=snapshot["track_name"],
        number=snapshot["number"], year=snapshot["year"], issued_on=date.fromisoformat(snapshot["issued_on"]),
        reissued_on=date.fromisoformat(reissued_on) if reissued_on else None, authority=snapshot["authority"],
        verification_code=verification_code, verify_url=url,
        verify_base_url=url.removesuffix(f"/verify/{verification_code}"), qr_svg=qr_svg(url),
        seal_image=seal_image,
    )


def make_certificate_document(*, verification_code: str, seal_image: str = "", **values) -> CertificateDocument:
    """The document of a copy made from these values now (certificate_snapshot's keywords)."""
    return certificate_document(certificate_snapshot(verification_code=verification_code, **values), verification_code,
                                seal_image=seal_image)
