"""Configurations, picked by ``LOANFUND_CONFIG`` (``default`` when unset, ``test``, ``production``).

Whatever the configuration, ``DATABASE_URL`` and ``SECRET_KEY`` from the environment win over its defaults
(``apply_environment``, called by the app factory at start-up, not at import).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent


class Config:
    """The default: a SQLite file under ``instance/``, for a developer's machine and the demo."""

    NAME = "default"
    SECRET_KEY: str | None = None  # the factory keeps a generated one in instance/secret_key when unset
    # signs the audit chain (HMAC); kept by the application, never in the database. Unset: derived from SECRET_KEY.
    # Set it on its own in production so SECRET_KEY can be changed; a key replaced goes to AUDIT_RETIRED_KEYS.
    AUDIT_KEY: str | None = None
    AUDIT_RETIRED_KEYS: tuple[str, ...] = ()
    SQLALCHEMY_DATABASE_URI: str | None = None  # the factory fills in instance/loanfund.db when unset
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    TIMEZONE = "Asia/Shanghai"
    # 第二十七条: who the platform's 绿色通道函 is addressed to — the departments that register a land and a house
    # mortgage (the deployment writes its city's names; these are what the departments are called everywhere)
    GREEN_CHANNEL_LAND_DEPARTMENT = "自然资源和规划局（不动产登记机构）"
    GREEN_CHANNEL_HOUSING_DEPARTMENT = "住房和城乡建设局"
    # Argon2id's cost (argon2-cffi's RFC 9106 low-memory profile: 64 MiB, 3 passes, 4 lanes — about 0.25 s here)
    PASSWORD_HASHER: dict[str, int] = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    SESSION_IDLE_MINUTES = 30  # a signed-in browser left alone this long is signed out
    SESSION_LIFETIME_HOURS = 12  # and one signed in this long ago, however busy (a working day and its evening)
    TRUSTED_PROXIES = 0  # how many reverse proxies set X-Forwarded-For in front of the app (the address logins count)
    BOOTSTRAP_SERVE_LOCAL = True  # the fund's network may be closed: no CDN
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_I18N_ENABLED = False  # WTForms' own Chinese messages (forms set locales = ["zh"]); no Babel needed
    DEMO_ALLOWED = True
    REQUIRED_ENVIRONMENT: tuple[str, ...] = ()
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024  # one upload is at most 20 MB (each file 10 MB); room for the form around it
    UPLOAD_DIR: str | None = None  # defaults to instance/materials (outside the web root)
    AUDIT_PACK_DIR: str | None = None  # finished audit packs; defaults to audit-packs beside UPLOAD_DIR
    # "thread": a pack the group asks for is built in a thread of the process asked (and by `loanfund audit-pack-runs`);
    # "inline": right after the request's commit, in the request (the tests)
    AUDIT_PACK_RUNNER = "thread"
    DATABASE_LOCK_TIMEOUT_MS = 10_000  # a step waits this long for a lock held by another, then answers 409
    # E-mail (DESIGN §6). Without MAIL_SERVER nothing is sent: notices stay queued, listed for the administrator.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "LoanFund 应急转贷平台 <noreply@loanfund.invalid>"
    MAIL_TIMEOUT_S = 10
    # SMS (issue 30): the operator's HTTP gateway, from the environment; without it texts stay queued
    SMS_GATEWAY_URL = ""
    SMS_GATEWAY_TOKEN = ""
    SMS_SIGNATURE = "【应急转贷】"
    SMS_TIMEOUT_S = 10
    # 第二十二条: a bridge this many days past its due date proposes its enterprise for the blacklist (group decides)
    BLACKLIST_PROPOSE_AFTER_OVERDUE_DAYS = 30
    # issue 30: operators, the leading group and administrators must turn a second factor (TOTP) on before anything
    # else. Off for the demo and the tests (their logins are typed by hand); a user who has one is asked either way
    SECOND_FACTOR_REQUIRED = False


class TestConfig(Config):
    NAME = "test"
    TESTING = True
    SECRET_KEY = "test-only-secret"
    AUDIT_KEY = "test-only-audit-key"
    AUDIT_PACK_RUNNER = "inline"  # the same for a test's app and the servers it starts (gunicorn in the load test)
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_HASHER = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}  # fast hashing in tests only


class ProductionConfig(Config):
    NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    DEMO_ALLOWED = False
    REQUIRED_ENVIRONMENT = ("SECRET_KEY", "DATABASE_URL")
    HSTS = True  # served over HTTPS only: browsers are told to keep to it
    MIN_SECRET_KEY_LENGTH = 32  # signs every session: a guessable key is a forged login
    SECOND_FACTOR_REQUIRED = True  # a password alone never lets money go


CONFIGS: dict[str, type[Config]] = {"default": Config, "test": TestConfig, "production": ProductionConfig}


class ConfigurationError(SystemExit):
    """Raised at start-up when the configuration cannot run; exits non-zero with the message."""


def config_class(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("LOANFUND_CONFIG") or "default"
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigurationError(
            f"LOANFUND_CONFIG={name!r} is not a configuration; use one of: {', '.join(CONFIGS)}"
        ) from None


def apply_environment(config: MutableMapping[str, Any], environ: MutableMapping[str, str] | None = None) -> None:
    """Let ``DATABASE_URL``, ``SECRET_KEY`` and ``DATABASE_LOCK_TIMEOUT_MS`` from the environment override; refuse a
    production start without the first two."""
    environ = os.environ if environ is None else environ
    missing = [name for name in config.get("REQUIRED_ENVIRONMENT", ()) if not environ.get(name)]
    if missing:
        raise ConfigurationError(
            f"LoanFund 无法启动（{config['NAME']} 配置）：请在环境变量中设置 {'、'.join(missing)}。"
            f" LoanFund will not start: set {' and '.join(missing)} in the environment."
        )
    shortest = config.get("MIN_SECRET_KEY_LENGTH")
    if shortest and len((environ.get("SECRET_KEY") or "").strip()) < shortest:
        raise ConfigurationError(
            f"LoanFund 无法启动（{config['NAME']} 配置）：SECRET_KEY 至少 {shortest} 个字符，请用随机生成的密钥。"
            f" LoanFund will not start: SECRET_KEY must be at least {shortest} characters of a random key"
            " (python3 -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if shortest and (environ.get("FLASK_DEBUG") or "").strip().lower() not in ("", "0", "false", "no"):
        raise ConfigurationError(
            f"LoanFund 无法启动（{config['NAME']} 配置）：生产环境不得开启调试模式（FLASK_DEBUG）。"
            " LoanFund will not start: the debugger (FLASK_DEBUG) must be off in production."
        )
    if environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    if environ.get("SECRET_KEY"):
        config["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("AUDIT_KEY"):
        config["AUDIT_KEY"] = environ["AUDIT_KEY"]
    if environ.get("AUDIT_RETIRED_KEYS"):
        config["AUDIT_RETIRED_KEYS"] = tuple(k for k in environ["AUDIT_RETIRED_KEYS"].split(",") if k.strip())
    _mail_environment(config, environ)
    proxies = environ.get("TRUSTED_PROXIES")
    if proxies:
        if not (proxies.isascii() and proxies.isdigit() and int(proxies) <= 5):
            raise ConfigurationError(
                f"TRUSTED_PROXIES={proxies!r}：须为 0 至 5 之间的整数（应用前反向代理的层数）。"
                " TRUSTED_PROXIES must be a whole number from 0 to 5 (the reverse proxies in front of the app)."
            )
        config["TRUSTED_PROXIES"] = int(proxies)
    timeout = environ.get("DATABASE_LOCK_TIMEOUT_MS")
    if timeout:
        if not (timeout.isascii() and timeout.isdigit() and 1 <= int(timeout) <= 600_000):
            raise ConfigurationError(
                f"DATABASE_LOCK_TIMEOUT_MS={timeout!r}：须为 1 至 600000 之间的毫秒数。"
                " DATABASE_LOCK_TIMEOUT_MS must be a whole number of milliseconds from 1 to 600000."
            )
        config["DATABASE_LOCK_TIMEOUT_MS"] = int(timeout)


SMS_SETTINGS = ("SMS_GATEWAY_URL", "SMS_GATEWAY_TOKEN", "SMS_SIGNATURE")


def _mail_environment(config: MutableMapping[str, Any], environ: MutableMapping[str, str]) -> None:
    """``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_SENDER``; and
    the SMS gateway's ``SMS_GATEWAY_URL`` (http or https), ``SMS_GATEWAY_TOKEN``, ``SMS_SIGNATURE``."""
    gateway = environ.get("SMS_GATEWAY_URL")
    if gateway and not gateway.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"SMS_GATEWAY_URL={gateway!r}：须为 http:// 或 https:// 地址。 SMS_GATEWAY_URL must be an http(s) URL."
        )
    for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_SENDER", *SMS_SETTINGS):
        if environ.get(name):
            config[name] = environ[name]
    port = environ.get("MAIL_PORT")
    if port:
        if not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
            raise ConfigurationError(f"MAIL_PORT={port!r}：须为 1 至 65535 之间的端口号。 MAIL_PORT must be 1–65535.")
        config["MAIL_PORT"] = int(port)
    tls = environ.get("MAIL_USE_TLS")
    if tls:
        if tls.lower() not in ("1", "true", "yes", "0", "false", "no"):
            raise ConfigurationError(f"MAIL_USE_TLS={tls!r}：须为 true 或 false。 MAIL_USE_TLS must be true or false.")
        config["MAIL_USE_TLS"] = tls.lower() in ("1", "true", "yes")
