"""Configuration: LOANFUND_CONFIG picks one, the environment overrides, production refuses to start unconfigured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigurationError, apply_environment, config_class
from loanfund.app import create_app

pytestmark = pytest.mark.both_databases

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LOANFUND_CONFIG", "DATABASE_URL", "SECRET_KEY", "DATABASE_LOCK_TIMEOUT_MS")
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=60
    )


def test_production_without_secret_or_database_exits_non_zero_with_a_message():
    result = run_python("import wsgi", LOANFUND_CONFIG="production")
    assert result.returncode == 1
    assert "LoanFund will not start: set SECRET_KEY and DATABASE_URL in the environment." in result.stderr
    assert "Traceback" not in result.stderr


def test_production_without_database_names_only_what_is_missing():
    result = run_python("import wsgi", LOANFUND_CONFIG="production", SECRET_KEY="s" * 32)
    assert result.returncode == 1
    assert "set DATABASE_URL in the environment" in result.stderr


def test_production_starts_when_configured(tmp_path):
    result = run_python(
        "import wsgi; print(wsgi.app.config['SQLALCHEMY_DATABASE_URI'], wsgi.app.config['SESSION_COOKIE_SECURE'])",
        LOANFUND_CONFIG="production",
        SECRET_KEY="s" * 32,
        DATABASE_URL=f"sqlite:///{tmp_path}/p.db",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"sqlite:///{tmp_path}/p.db", "True"]


def test_unknown_config_name_is_refused():
    with pytest.raises(ConfigurationError):
        config_class("staging")


def test_environment_overrides_every_config():
    config = {"NAME": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}
    apply_environment(config, {"DATABASE_URL": "postgresql+psycopg://db/x", "SECRET_KEY": "from-env"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/x"
    assert config["SECRET_KEY"] == "from-env"


def test_the_lock_timeout_comes_from_the_environment_and_must_be_milliseconds():
    config = {"NAME": "test", "DATABASE_LOCK_TIMEOUT_MS": 10_000}
    apply_environment(config, {"DATABASE_LOCK_TIMEOUT_MS": "2500"})
    assert config["DATABASE_LOCK_TIMEOUT_MS"] == 2500
    for bad in ("0", "2.5s", "٢٥٠٠", "600001"):
        with pytest.raises(ConfigurationError):
            apply_environment(config, {"DATABASE_LOCK_TIMEOUT_MS": bad})


def test_default_config_keeps_a_generated_secret_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app("default", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db"})
    key = app.config["SECRET_KEY"]
    assert len(key) == 64
    again = create_app("default", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db"})
    assert again.config["SECRET_KEY"] == key
