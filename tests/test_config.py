import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import config
from config import ConfigError, DevelopmentConfig, ProductionConfig, TestingConfig
from scrutiny import create_app
from scrutiny.branding import check_brand_colour

ROOT = Path(__file__).resolve().parent.parent


def _start(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SCRUTINY_ENV", "SCRUTINY_TEAM_EMAIL")}
    return subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _start({"SCRUTINY_ENV": "production", "SCRUTINY_INSTANCE_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_starts_with_a_long_secret_key(tmp_path):
    result = _start({"SCRUTINY_ENV": "production", "SECRET_KEY": "x" * 48, "SCRUTINY_INSTANCE_DIR": str(tmp_path),
                     "SCRUTINY_TEAM_EMAIL": "scrutiny@council.example"})
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_the_scrutiny_teams_address(tmp_path):
    result = _start({"SCRUTINY_ENV": "production", "SECRET_KEY": "x" * 48, "SCRUTINY_INSTANCE_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SCRUTINY_TEAM_EMAIL must be set" in result.stderr


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32 characters"):
        create_app(ProductionConfig)


def test_development_generates_a_key_once_and_keeps_it_private(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    first, second = DevelopmentConfig().SECRET_KEY, DevelopmentConfig().SECRET_KEY
    assert first == second and len(first) == 64
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_an_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("SCRUTINY_ENV", "staging-ish")
    with pytest.raises(ConfigError, match="SCRUTINY_ENV must be one of development, testing, production"):
        config.config_for_environment()


def test_postgres_urls_use_psycopg_3():
    assert config.database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_a_brand_colour_too_pale_for_white_text_is_refused():
    assert check_brand_colour("#1d3d5c") == "#1d3d5c"
    with pytest.raises(ConfigError, match="contrast of 2.*4.5:1"):
        check_brand_colour("#8fa8c0")
    with pytest.raises(ConfigError, match="must be a colour like"):
        check_brand_colour("navy")


def test_the_councils_name_and_colour_come_from_settings(database_url, redis_url):
    from tests.conftest import make_app

    app = make_app(database_url, redis_url, COUNCIL_NAME="Northshire District Council", BRAND_COLOUR="#4b0f3c")
    page = app.test_client().get("/sign-in").text
    assert "Northshire District Council" in page
    assert "--app-brand-colour: #4b0f3c" in page
    assert "Example County Council" not in page
    assert TestingConfig.COUNCIL_NAME != "Northshire District Council"


def test_pages_send_security_headers(client):
    headers = client.get("/sign-in").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'nonce-" in csp and "unsafe-inline" not in csp


def _redis_url_seen(instance: Path, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SCRUTINY_ENV")}
    result = subprocess.run([sys.executable, "-c", "import config; print(config.Config.REDIS_URL)"], cwd=ROOT,
                            env={**clean, "SCRUTINY_INSTANCE_DIR": str(instance), **env},
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.strip()


def test_flask_in_a_second_terminal_finds_the_redis_make_run_started(tmp_path):
    (tmp_path / "dev-redis-url").write_text("redis://127.0.0.1:61234/0\n")
    assert _redis_url_seen(tmp_path) == "redis://127.0.0.1:61234/0"
    assert _redis_url_seen(tmp_path, REDIS_URL="redis://cache.example:6379/2") == "redis://cache.example:6379/2"
    assert _redis_url_seen(tmp_path, SCRUTINY_ENV="production") == "redis://127.0.0.1:6379/0"
    (tmp_path / "dev-redis-url").unlink()
    assert _redis_url_seen(tmp_path) == "redis://127.0.0.1:6379/0"


def _base_url_seen(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "PORT")}
    result = subprocess.run([sys.executable, "-c", "import config; print(config.Config.BASE_URL)"], cwd=ROOT,
                            env={**clean, **env}, capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.strip()


def test_links_point_at_the_port_served_unless_base_url_says_otherwise():
    assert _base_url_seen() == "http://127.0.0.1:5000"
    assert _base_url_seen(PORT="5055") == "http://127.0.0.1:5055"
    assert _base_url_seen(PORT="5055", BASE_URL="https://scrutiny.example") == "https://scrutiny.example"
