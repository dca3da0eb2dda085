"""Settings come from the environment; a bad value stops start-up, naming the variable."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from studio.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    environment.update(env, DJANGO_SETTINGS_MODULE="studio.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("reader", "raw", "name"),
    [(env_bool, "maybe", "FLAG"), (env_int, "ten", "COUNT")],
)
def test_a_bad_value_names_its_variable(monkeypatch, reader, raw, name):
    monkeypatch.setenv(name, raw)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader(name, 1)


def test_typed_readers_read_what_they_are_given(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("COUNT", "12")
    monkeypatch.setenv("HOSTS", "a.example, b.example,")
    assert env_bool("FLAG") is True
    assert env_int("COUNT", 1) == 12
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    assert env_int("MISSING", 7) == 7


def test_start_up_fails_with_the_variable_named(tmp_path):
    result = manage("check", DJANGO_DEBUG="perhaps", STUDIO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_a_short_secret_key_is_refused(tmp_path):
    result = manage("check", DJANGO_SECRET_KEY="short", STUDIO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_settings_pass_the_deployment_check(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="studio.example",
        STUDIO_VAR_DIR=str(tmp_path),
        AWS_STORAGE_BUCKET_NAME="studio",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
