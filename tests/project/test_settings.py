"""Settings come from the environment; a bad value stops start-up, naming the variable."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from studio.env import env_bool, env_float, env_int, env_list, env_str

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


def test_every_reader_takes_its_value_from_a_file_when_name_file_is_set(monkeypatch, tmp_path):
    values = {"SECRET": "s3cret", "FLAG": "on", "COUNT": "12", "RATIO": "0.5", "HOSTS": "a, b"}
    for name, value in values.items():
        monkeypatch.setenv(name, "the plain variable loses")
        (tmp_path / name).write_text(f"{value}\n")  # as `echo value > file` leaves it
        monkeypatch.setenv(f"{name}_FILE", str(tmp_path / name))
    assert env_str("SECRET") == "s3cret"
    assert env_bool("FLAG") is True
    assert env_int("COUNT", 1) == 12
    assert env_float("RATIO", 1.0) == 0.5
    assert env_list("HOSTS", []) == ["a", "b"]


def test_an_unreadable_name_file_stops_start_up_naming_it(monkeypatch, tmp_path):
    monkeypatch.setenv("COUNT_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="COUNT_FILE: cannot read"):
        env_int("COUNT", 1)


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
        STUDIO_ENCRYPTION_KEY=secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="studio.example",
        STUDIO_VAR_DIR=str(tmp_path),
        AWS_STORAGE_BUCKET_NAME="studio",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_collected_static_files_are_served_by_their_hashed_names(tmp_path):
    production = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "STUDIO_VAR_DIR": str(tmp_path),
    }
    collected = manage("collectstatic", "--noinput", STUDIO_STATIC_MANIFEST="true", **production)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    hashed_css = manifest["css/studio.css"]
    assert hashed_css != "css/studio.css" and (tmp_path / "static" / f"{hashed_css}.gz").exists()

    # With the manifest in place, the studio uses it without being told (as the image does).
    render = "from django.templatetags.static import static; print(static('css/studio.css'))"
    shown = manage("shell", "-c", render, **production)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[-1] == f"/static/{hashed_css}"


def test_without_a_collected_manifest_static_files_are_served_by_name(tmp_path):
    render = "from django.templatetags.static import static; print(static('css/studio.css'))"
    shown = manage("shell", "-c", render, DJANGO_DEBUG="false", STUDIO_VAR_DIR=str(tmp_path))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[-1] == "/static/css/studio.css"
