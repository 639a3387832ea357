"""The public verify page: status, the few public facts, unknown codes, and a rate limit shared by workers."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from pipeline.certificates.models import VerifyHit
from pipeline.certificates.services import reissue_certificate, revoke_certificate
from pipeline.certificates.verification import allow_verify_request

LATER = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)


def page(client, code, **kw):
    response = client.get(f"/verify/{code}", **kw)
    return response.status_code, response.get_data(as_text=True)


def test_valid_certificate_shows_the_public_facts_only(client, issue, make_firm, app):
    firm = make_firm(name="新昌犇燊机械有限公司", contact_phone="13900001111", address="新昌县七星街道1号")
    certificate = issue(firm=firm)
    assert certificate.pdf is None  # never rendered: the page needs the row and its snapshot only
    status, html = page(client, certificate.verification_code)
    assert status == 200
    assert "证书有效" in html and "新昌犇燊机械有限公司" in html and "科技型中小企业" in html
    assert certificate.number in html and "2026-03-02" in html
    assert firm.credit_code in html  # public in the national enterprise credit system; a bank matches the firm by it
    assert app.config["PIPELINE_AUTHORITY_NAME"] in html and "有效期" in html
    for private in ("13900001111", "新昌县七星街道1号"):
        assert private not in html


def test_the_page_says_what_the_certificate_is_not(client, issue, make_record):
    certificate = issue(make_record(code="hnte", number="高企-2026-0001"))
    html = page(client, certificate.verification_code)[1]
    assert "证明该企业列入" in html and "高新技术企业梯队培育库" in html
    assert "不代表该企业已获高新技术企业认定" in html


def test_the_page_is_in_english_too(client, issue):
    certificate = issue()
    html = page(client, certificate.verification_code, headers={"Accept-Language": "en"})[1]
    assert "Certificate valid" in html and "does not mean" in html


def test_code_is_accepted_as_typed(client, issue):
    code = issue().verification_code
    typed = f"{code[:5].lower()}-{code[5:10]}-{code[10:15]}-{code[15:]}"
    assert page(client, typed)[0] == 200
    response = client.get("/verify/", query_string={"code": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{code}")


def test_superseded_certificate_says_so(client, issue, db):
    original = issue()
    original.firm.name = "新昌新名称有限公司"
    new = reissue_certificate(original, actor=None, now=LATER, reason="更名")
    db.session.commit()
    status, html = page(client, original.verification_code)
    assert status == 200 and "证书已换发" in html and "2026-09-01" in html
    assert "新昌新名称有限公司" not in html  # what the old copy says, not the new name
    status, html = page(client, new.verification_code)
    assert "证书有效" in html and "新昌新名称有限公司" in html and "换发日期" in html


def test_revoked_certificate_says_so_without_the_reason(client, issue, db):
    certificate = issue()
    revoke_certificate(certificate, actor=None, now=LATER, reason="内部原因：材料造假")
    db.session.commit()
    status, html = page(client, certificate.verification_code)
    assert status == 200 and "证书已撤销" in html and "撤销日期" in html and "2026-09-01" in html
    assert "材料造假" not in html


@pytest.mark.parametrize("code", ["ABCDEFGHJKLMNPQRSTUV", "short", "' or 1=1 --", "x" * 300])
def test_unknown_or_malformed_codes_say_so(client, app, code):
    status, html = page(client, code)
    assert status == 404 and "未找到该证书" in html


def test_verify_needs_no_login_and_is_not_indexed(client):
    response = client.get("/verify/")
    assert response.status_code == 200 and "输入证书上的验证码" in response.get_data(as_text=True)
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_rate_limit_per_client_address(client, app, monkeypatch, db):
    monkeypatch.setitem(app.config, "PIPELINE_VERIFY_RATE_LIMIT", 3)
    for _ in range(3):
        assert page(client, "ABCDEFGHJKLMNPQRSTUV")[0] == 404
    status, html = page(client, "ABCDEFGHJKLMNPQRSTUV")
    assert status == 429 and "请求过于频繁" in html
    other = {"REMOTE_ADDR": "10.0.0.9"}
    assert page(client, "ABCDEFGHJKLMNPQRSTUV", environ_base=other)[0] == 404  # another address is not affected


def test_behind_a_reverse_proxy_each_client_is_counted_by_its_forwarded_address(make_app):
    """With PIPELINE_PROXY_HOPS=1 every visitor arrives from the proxy's address: the limit counts the address the
    proxy forwards. Without it the header is ignored: a client cannot dodge the limit by sending one."""
    proxied = make_app(PIPELINE_VERIFY_RATE_LIMIT=2, PIPELINE_PROXY_HOPS=1).test_client()

    def status(client, forwarded_for):
        return client.get("/verify/ABCDEFGHJKLMNPQRSTUV", headers={"X-Forwarded-For": forwarded_for},
                          environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code

    assert [status(proxied, "192.0.2.1") for _ in range(3)] == [404, 404, 429]
    assert status(proxied, "192.0.2.2") == 404  # another visitor behind the same proxy
    # Only the entry the proxy appended counts: a client's own X-Forwarded-For in front of it changes nothing.
    assert status(proxied, "203.0.113.7, 192.0.2.2") == 404 and status(proxied, "198.51.100.1, 192.0.2.2") == 429
    assert status(proxied, "x" * 300) == 404  # a broken proxy's value is cut to the address column, not a 500
    direct = make_app(PIPELINE_VERIFY_RATE_LIMIT=2).test_client()
    assert [status(direct, f"192.0.2.{n}") for n in (3, 4, 5)] == [404, 404, 429]
    with pytest.raises(RuntimeError, match="PIPELINE_PROXY_HOPS"):
        make_app(PIPELINE_PROXY_HOPS=-1)


def test_rate_limit_is_counted_in_the_database_for_every_worker(app, make_app, monkeypatch):
    """Two app instances (two workers) on one database share the count."""
    worker_a, worker_b = make_app(PIPELINE_VERIFY_RATE_LIMIT=2), make_app(PIPELINE_VERIFY_RATE_LIMIT=2)
    assert worker_a.test_client().get("/verify/ABCDEFGHJKLMNPQRSTUV").status_code == 404
    assert worker_b.test_client().get("/verify/ABCDEFGHJKLMNPQRSTUV").status_code == 404
    assert worker_a.test_client().get("/verify/ABCDEFGHJKLMNPQRSTUV").status_code == 429
    assert worker_b.test_client().get("/verify/ABCDEFGHJKLMNPQRSTUV").status_code == 429


def test_window_slides_and_old_hits_are_deleted(db):
    start = datetime(2026, 3, 2, tzinfo=UTC)
    assert allow_verify_request("10.1.1.1", start, limit=2, window_seconds=60)
    assert allow_verify_request("10.1.1.1", start + timedelta(seconds=1), limit=2, window_seconds=60)
    assert not allow_verify_request("10.1.1.1", start + timedelta(seconds=2), limit=2, window_seconds=60)
    assert allow_verify_request("10.1.1.1", start + timedelta(seconds=61), limit=2, window_seconds=60)
    allow_verify_request("10.2.2.2", start + timedelta(days=2), limit=2, window_seconds=60)
    assert db.session.scalar(select(func.count(VerifyHit.id))) == 1
