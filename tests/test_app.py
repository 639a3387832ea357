import pytest

from config import Config, ProductionConfig, normalize_database_url
from pipeline import create_app


def test_production_refuses_missing_secret():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig(env={"DATABASE_URL": "postgresql://x@127.0.0.1/x"}))


def test_production_refuses_default_secret():
    from config import DEFAULT_SECRET

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig(env={"SECRET_KEY": DEFAULT_SECRET, "DATABASE_URL": "postgresql://x@127.0.0.1/x"}))


def test_production_refuses_missing_database_url():
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(ProductionConfig(env={"SECRET_KEY": "s" * 40}))


def test_production_locks_down_cookies():
    app = create_app(ProductionConfig(env={"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://x@127.0.0.1/x"}))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_config_defaults_are_read_from_the_given_environment(tmp_path):
    config = Config(env={}, instance_path=tmp_path)
    assert f"sqlite:///{tmp_path / 'pipeline.db'}" == config.SQLALCHEMY_DATABASE_URI
    assert config.PIPELINE_TIMEZONE == "Asia/Shanghai"
    assert config.PIPELINE_AUTHORITY_NAME == "新昌县科学技术局"
    config = Config(env={"MAIL_SERVER": "smtp.example.gov.cn", "MAIL_PORT": "465", "MAIL_USE_TLS": "true"})
    assert (config.MAIL_SERVER, config.MAIL_PORT, config.MAIL_USE_TLS) == ("smtp.example.gov.cn", 465, True)


def test_postgres_urls_use_psycopg3():
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_connections_use_wal_and_foreign_keys(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_no_asset_from_another_host(client):
    html = client.get("/login").get_data(as_text=True)
    assert "http://" not in html.replace("http://127.0.0.1", "") and "https://" not in html
    assert "<script>" not in html  # the CSP forbids inline scripts


@pytest.mark.parametrize("code", [404])
def test_error_pages_are_chinese(client, code):
    response = client.get("/no-such-page")
    assert response.status_code == code
    assert "未找到" in response.get_data(as_text=True)


@pytest.mark.parametrize("base_url", ["http://localhost/", "http://intranet.example/pipeline/"])
def test_id_urls_are_what_url_for_builds(app, base_url):
    from flask import url_for

    from pipeline.web import IdUrl

    with app.test_request_context(base_url=base_url):
        detail, move = IdUrl("firms.detail", "firm_id"), IdUrl("funnel.move", "firm_id", track_code="hnte")
        for firm_id in (1, 42, 2**31 - 1):
            assert detail(firm_id) == url_for("firms.detail", firm_id=firm_id)
            assert move(firm_id) == url_for("funnel.move", firm_id=firm_id, track_code="hnte")
        # A fixed value that contains the marker id: every URL is built by url_for, still right.
        clash = IdUrl("funnel.move", "firm_id", track_code="t987654321")
        assert clash(7) == url_for("funnel.move", firm_id=7, track_code="t987654321")
