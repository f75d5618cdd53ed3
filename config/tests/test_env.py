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


def _run(env_values, *args):
    import os
    import subprocess
    import sys

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("ENLACE_ENV", "SECRET_KEY", "DEBUG", "SECRET_KEY_FILE")
    }
    env.update(env_values, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(  # noqa: S603 (this interpreter, the test's own arguments)
        [sys.executable, *args], env=env, capture_output=True, text=True, check=False
    )


def test_without_an_environment_it_is_production_and_refuses_without_a_secret_key():
    result = _run({}, "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_developer_says_so_and_gets_the_development_defaults():
    result = _run(
        {"ENLACE_ENV": "development"},
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_production_with_a_secret_key_has_debug_off():
    result = _run(
        {"SECRET_KEY": "x" * 60},
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_check_deploy_finds_nothing_with_the_documented_production_environment():
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "production.env.example"
    values = {}
    for line in example.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _sep, value = line.partition("=")
            values[name] = value
    result = _run(values, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout
