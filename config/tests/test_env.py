"""Settings read from the environment fail loudly on a bad value."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envchoice, envint, envlist, envsecret


def test_booleans(monkeypatch):
    monkeypatch.setenv("X", "yes")
    assert envbool("X", "false") is True
    monkeypatch.setenv("X", "Off")
    assert envbool("X", "true") is False
    monkeypatch.setenv("X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X='maybe' is not a boolean"):
        envbool("X", "false")


def test_integers(monkeypatch):
    monkeypatch.delenv("N", raising=False)
    assert envint("N", "50") == 50
    monkeypatch.setenv("N", "cincuenta")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        envint("N", "50")


def test_lists_and_choices(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert envlist("HOSTS", "") == ["a.example", "b.example"]
    monkeypatch.setenv("MODE", "fast")
    with pytest.raises(ImproperlyConfigured, match="must be one of"):
        envchoice("MODE", "slow", ("slow", "safe"))


def test_secrets_are_read_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert envsecret("TOKEN", "default") == "s3cr3t"
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        envsecret("TOKEN", "default")


def test_production_settings_refuse_the_development_secret(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
