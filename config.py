"""Configuration classes. Values are read from the environment by create_app(), never at import time."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_SECRET = "dev-insecure-change-me"  # noqa: S105 (development only; ProductionConfig refuses it)


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalize_database_url(url: str) -> str:
    """Point plain postgres URLs at the psycopg 3 driver that we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Development defaults; every value can be overridden from the environment."""

    TESTING = False
    DEBUG = False

    def __init__(self, env: dict[str, str] | None = None, instance_path: Path | None = None):
        env = dict(os.environ if env is None else env)
        instance = instance_path or ROOT / "instance"
        self.SECRET_KEY = env.get("SECRET_KEY", DEFAULT_SECRET)
        self.SQLALCHEMY_DATABASE_URI = normalize_database_url(
            env.get("DATABASE_URL") or f"sqlite:///{instance / 'pipeline.db'}"
        )
        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(env.get("MAIL_PORT") or 25)
        self.MAIL_USE_TLS = _bool(env.get("MAIL_USE_TLS"))
        self.MAIL_USE_SSL = _bool(env.get("MAIL_USE_SSL"))
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "新昌县科学技术局 <noreply@kjj.xinchang.gov.cn>")
        self.MAIL_TIMEOUT = float(env.get("MAIL_TIMEOUT") or 10)
        self.MAIL_GIVE_UP_HOURS = float(env.get("MAIL_GIVE_UP_HOURS") or 48)
        self.MAIL_FILE_DIR = env.get("MAIL_FILE_DIR") or str(instance / "mail")
        self.MAIL_CA_FILE = env.get("MAIL_CA_FILE", "")  # CA bundle of an intranet mail server's certificate
        self.MAIL_RETRY_SECONDS = float(env.get("MAIL_RETRY_SECONDS") or 60)  # first retry; doubles up to an hour
        self.MAIL_BATCH_SIZE = int(env.get("MAIL_BATCH_SIZE") or 50)
        # Channels next to email (issue 22, pipeline/channels/): base URLs are settings so tests point them at
        # local servers; secrets come only from here and are never shown in full.
        self.CHANNEL_TIMEOUT = float(env.get("CHANNEL_TIMEOUT") or 10)
        self.CHANNEL_RETRY_SECONDS = float(env.get("CHANNEL_RETRY_SECONDS") or 60)
        self.CHANNEL_GIVE_UP_HOURS = float(env.get("CHANNEL_GIVE_UP_HOURS") or 48)
        self.SMS_ENDPOINT = env.get("SMS_ENDPOINT") or "https://dysmsapi.aliyuncs.com"
        self.SMS_ACCESS_KEY_ID = env.get("SMS_ACCESS_KEY_ID", "")
        self.SMS_ACCESS_KEY_SECRET = env.get("SMS_ACCESS_KEY_SECRET", "")
        self.SMS_SIGN_NAME = env.get("SMS_SIGN_NAME", "")
        self.SMS_LIMIT_PER_MINUTE = int(env.get("SMS_LIMIT_PER_MINUTE") or 1)  # Alibaba's defaults per number
        self.SMS_LIMIT_PER_HOUR = int(env.get("SMS_LIMIT_PER_HOUR") or 5)
        self.SMS_LIMIT_PER_DAY = int(env.get("SMS_LIMIT_PER_DAY") or 10)
        self.DINGTALK_ROBOT_URL = env.get("DINGTALK_ROBOT_URL") or "https://oapi.dingtalk.com/robot/send"
        self.DINGTALK_ROBOTS = env.get("DINGTALK_ROBOTS", "")  # JSON {"全县"|town: {"access_token", "secret"}}
        # DingTalk work notifications: an enterprise app (H5 微应用) of the bureau's DingTalk / 浙政钉 organisation
        self.DINGTALK_API_URL = env.get("DINGTALK_API_URL") or "https://oapi.dingtalk.com"
        self.DINGTALK_APP_KEY = env.get("DINGTALK_APP_KEY", "")
        self.DINGTALK_APP_SECRET = env.get("DINGTALK_APP_SECRET", "")
        self.DINGTALK_AGENT_ID = env.get("DINGTALK_AGENT_ID", "")
        self.WECOM_ROBOT_URL = env.get("WECOM_ROBOT_URL") or "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
        self.WECOM_ROBOTS = env.get("WECOM_ROBOTS", "")  # JSON {"全县"|town: "webhook key"}
        self.REMINDER_CATCH_UP_DAYS = int(env.get("REMINDER_CATCH_UP_DAYS") or 7)
        self.SCHEDULER_LEASE_SECONDS = int(env.get("SCHEDULER_LEASE_SECONDS") or 60)
        self.PIPELINE_TIMEZONE = env.get("PIPELINE_TIMEZONE", "Asia/Shanghai")
        self.PIPELINE_AUTHORITY_NAME = env.get("PIPELINE_AUTHORITY_NAME", "新昌县科学技术局")
        self.PIPELINE_EXTERNAL_URL = env.get("PIPELINE_EXTERNAL_URL", "http://127.0.0.1:5000").rstrip("/")
        self.PIPELINE_LEADER_EMAILS = [e.strip() for e in env.get("PIPELINE_LEADER_EMAILS", "").split(",") if e.strip()]
        self.PIPELINE_PROVINCE_CODE = env.get("PIPELINE_PROVINCE_CODE", "33")
        # The public verify page: requests per client address and window, counted in the database.
        self.PIPELINE_VERIFY_RATE_LIMIT = int(env.get("PIPELINE_VERIFY_RATE_LIMIT") or 30)
        self.PIPELINE_VERIFY_RATE_WINDOW = int(env.get("PIPELINE_VERIFY_RATE_WINDOW") or 60)
        # The API (/api/v1): calls per client and minute, counted in the database (every worker shares the count).
        self.PIPELINE_API_RATE_LIMIT = int(env.get("PIPELINE_API_RATE_LIMIT") or 120)
        # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0: none, use the peer address).
        self.PIPELINE_PROXY_HOPS = int(env.get("PIPELINE_PROXY_HOPS") or 0)
        self.CERTIFICATE_BATCH_DIR = env.get("CERTIFICATE_BATCH_DIR") or str(instance / "certificate-batches")
        # A batch's ZIP is deleted this many days after the batch ended (its certificates stay downloadable).
        self.CERTIFICATE_BATCH_KEEP_DAYS = int(env.get("CERTIFICATE_BATCH_KEEP_DAYS") or 30)
        # A worker reuses the dashboard's statistics for this many seconds (0: compute on every view).
        self.PIPELINE_DASHBOARD_CACHE_SECONDS = int(env.get("PIPELINE_DASHBOARD_CACHE_SECONDS") or 60)
        self.PIPELINE_REPORT_ANNEX_LIMIT = int(env.get("PIPELINE_REPORT_ANNEX_LIMIT") or 150)  # rows per annex list
        # The largest file a user may upload (what the forms say), and the largest request: the file plus its
        # multipart framing and form fields, so that a file of exactly the limit is not refused by the request's size.
        self.PIPELINE_MAX_UPLOAD_BYTES = int(env.get("PIPELINE_MAX_UPLOAD_MB") or 20) * 1024 * 1024
        self.MAX_CONTENT_LENGTH = self.PIPELINE_MAX_UPLOAD_BYTES + 64 * 1024
        self.PIPELINE_IMPORT_MAX_ROWS = int(env.get("PIPELINE_IMPORT_MAX_ROWS") or 100_000)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = False
        self.SESSION_COOKIE_NAME = "session"
        self.PERMANENT_SESSION_LIFETIME = 8 * 3600
        self.WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token
        self.SQLALCHEMY_ENGINE_OPTIONS = self.engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.BABEL_DEFAULT_LOCALE = "zh"
        self.BABEL_DEFAULT_TIMEZONE = self.PIPELINE_TIMEZONE
        # Login throttles (pipeline/auth/throttle.py): failures forgiven per account and address, per address and per
        # account (from addresses it never logged in from), then delays from 30 s doubling up to the maximum.
        self.LOGIN_FREE_FAILURES = int(env.get("PIPELINE_LOGIN_FREE_FAILURES") or 5)
        self.LOGIN_ADDRESS_FREE_FAILURES = int(env.get("PIPELINE_LOGIN_ADDRESS_FREE_FAILURES") or 20)
        self.LOGIN_ACCOUNT_FREE_FAILURES = int(env.get("PIPELINE_LOGIN_ACCOUNT_FREE_FAILURES") or 50)
        self.LOGIN_MAX_DELAY_MINUTES = int(env.get("PIPELINE_LOGIN_MAX_DELAY_MINUTES") or 15)
        self.PASSWORD_MIN_LENGTH = 10
        self.HSTS_SECONDS = 0  # Strict-Transport-Security only where HTTPS is certain (production)

    @staticmethod
    def engine_options(url: str) -> dict:
        if url.startswith("sqlite"):
            # Several threads (dev server, scheduler) share one file; SQLite serialises writers itself.
            return {"connect_args": {"timeout": 30, "check_same_thread": False}}
        return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10, "pool_recycle": 1800}

    def check(self) -> None:
        """Refuse settings that are unsafe for this kind of deployment (nothing to refuse in development)."""


class TestConfig(Config):
    """Settings for the test suite: a database from TEST_DATABASE_URL or a throwaway SQLite file."""

    TESTING = True

    def __init__(self, env: dict[str, str] | None = None, instance_path: Path | None = None):
        env = dict(os.environ if env is None else env)
        env.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
        if env.get("TEST_DATABASE_URL"):
            env["DATABASE_URL"] = env["TEST_DATABASE_URL"]
        env.setdefault("MAIL_SERVER", "")
        super().__init__(env, instance_path)
        self.PASSWORD_MIN_LENGTH = 6
        self.PIPELINE_DASHBOARD_CACHE_SECONDS = 0  # every test sees the data it just wrote
        # Request tests post without a token; tests/auth/test_csrf.py and the browser tests switch it back on.
        self.WTF_CSRF_ENABLED = _bool(env.get("TEST_CSRF"), False)


class ProductionConfig(Config):
    """Production: secrets and the database must come from the environment; cookies are locked down."""

    def __init__(self, env: dict[str, str] | None = None, instance_path: Path | None = None):
        env = dict(os.environ if env is None else env)
        super().__init__(env, instance_path)
        self._has_database_url = bool(env.get("DATABASE_URL"))
        self.SESSION_COOKIE_SECURE = True
        self.SESSION_COOKIE_NAME = "__Host-session"
        self.PREFERRED_URL_SCHEME = "https"
        self.HSTS_SECONDS = int(env.get("PIPELINE_HSTS_SECONDS") or 365 * 24 * 3600)

    def check(self) -> None:
        if not self.SECRET_KEY or self.SECRET_KEY == DEFAULT_SECRET or len(self.SECRET_KEY) < 32:
            raise RuntimeError("ProductionConfig: set SECRET_KEY to a random value of at least 32 characters")
        if not self._has_database_url:
            raise RuntimeError("ProductionConfig: set DATABASE_URL (PostgreSQL) for production")


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProductionConfig}
