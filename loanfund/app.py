"""The application factory."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from config import BASE_DIR, ConfigurationError, apply_environment, config_class


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration (``LOANFUND_CONFIG``, then the environment, then ``overrides``), extensions,
    blueprints, error handlers and commands."""
    app = Flask(
        "loanfund",
        instance_path=str(BASE_DIR / "instance"),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "loanfund" / "static"),
    )
    app.config.from_object(config_class(config_name))
    apply_environment(app.config)
    if overrides:
        app.config.update(overrides)
    _fill_local_defaults(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese stays readable in JSON

    register_extensions(app)
    register_reading(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_security_headers(app)
    from loanfund.web import static_files

    static_files.register(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])  # the address logins are counted by comes from the proxies we run
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def register_reading(app: Flask) -> None:
    """A GET, HEAD or OPTIONS request only reads: on SQLite its transactions need not take the write lock
    (``loanfund.sqlite``), so pages are served side by side. First of the hooks, before anything reads."""
    from flask import g, request

    from loanfund import sqlite

    def begin() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            g.sqlite_reading = sqlite.reading()

    def end(_: BaseException | None) -> None:
        token = g.pop("sqlite_reading", None)
        if token is not None:
            sqlite.done(token)

    app.before_request_funcs.setdefault(None, []).insert(0, begin)
    app.teardown_request(end)


# Pages load only this site's scripts, styles, images and fonts (Bootstrap's icons are data: URIs); no inline script
# or style, no plugins, no other site's forms or base URL, never inside a frame. Files (PDF, .xlsx) only forbid framing:
# a browser's own PDF viewer must not be held to a page's policy.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    """Every answer: no MIME sniffing, never inside a frame (an approve or authorise page framed by another site is a
    click-jacking of public money), no full address sent to other sites; a signed-in page or answer is never kept
    by a browser or proxy cache; HTTPS pinned in production."""
    from flask import Response, request
    from flask_login import current_user

    hsts = bool(app.config.get("HSTS"))

    @app.after_request
    def secure(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        html = response.mimetype == "text/html"
        headers.setdefault("Content-Security-Policy", PAGE_POLICY if html else "frame-ancestors 'none'")
        headers.setdefault("Referrer-Policy", "same-origin")
        signed_in = current_user.is_authenticated or "Authorization" in request.headers
        if signed_in and not request.path.startswith(("/static/", "/bootstrap/", "/favicon.ico")):
            headers["Cache-Control"] = "no-store"
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _fill_local_defaults(app: Flask) -> None:
    """Where the configuration leaves the database or secret open (the default config), use the instance folder."""
    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'loanfund.db'}"
    if not app.config.get("SECRET_KEY"):
        if app.config.get("REQUIRED_ENVIRONMENT"):
            raise ConfigurationError("SECRET_KEY is required")  # pragma: no cover - apply_environment says so first
        instance.mkdir(parents=True, exist_ok=True)
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()


def register_extensions(app: Flask) -> None:
    from loanfund import database
    from loanfund.extensions import bootstrap, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    with app.app_context():
        database.configure(db.engine, app.config["DATABASE_LOCK_TIMEOUT_MS"])
    from loanfund.services.record import audit

    audit.register()  # every flush writes its audit record


def register_blueprints(app: Flask) -> None:
    from loanfund.api import api_bp
    from loanfund.extensions import csrf
    from loanfund.web import register_web

    csrf.exempt(api_bp)  # the API authenticates each request with a token, never with a cookie
    app.register_blueprint(api_bp)
    register_web(app)


def register_errorhandlers(app: Flask) -> None:
    from loanfund import errors

    errors.register_errorhandlers(app)


def register_commands(app: Flask) -> None:
    from loanfund.cli import loanfund_cli

    app.cli.add_command(loanfund_cli)
