"""The suite's own promises: what a test needs is what it asks for."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


WITHOUT_DATABASE = "tests/dialects/test_http.py::test_500_is_transient"
WITH_DATABASE = "tests/quota/test_quota_ledger.py::test_it_reserves_within_the_limit"


@pytest.fixture(scope="module")
def fixtures_set_up() -> dict[str, str]:
    """What each of the two tests set up (`--setup-show`), keyed by test id: the two run in a
    pytest of their own, apart from the rest of the suite.

    On SQLite whatever the suite runs on: the promise is about fixtures, and migrating a fresh
    PostgreSQL test database would cost these tests some 20 s."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--setup-show",
            "-p",
            "no:cacheprovider",
            WITHOUT_DATABASE,
            WITH_DATABASE,
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "sqlite:///:memory:"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # pytest-django runs the database test first; each file's listing starts at its name.
    shown: dict[str, str] = {}
    current = None
    for line in result.stdout.splitlines():
        for test_id in (WITHOUT_DATABASE, WITH_DATABASE):
            if line.strip() == test_id.split("::")[0]:
                current = test_id
        if current:
            shown[current] = shown.get(current, "") + line + "\n"
    return shown


def test_a_test_without_the_database_needs_no_redis(fixtures_set_up):
    shown = fixtures_set_up[WITHOUT_DATABASE]
    assert "SETUP    F sandbox" in shown  # the listing is real: the test's own fixtures are in it
    # Every fixture the test used, directly or through others, is named on its own line.
    used = next(line for line in shown.splitlines() if "::test_500_is_transient (fixtures" in line)
    assert "sandbox" in used
    assert "redis_url" not in used


def test_a_test_with_the_database_gets_the_test_broker(fixtures_set_up):
    shown = fixtures_set_up[WITH_DATABASE]
    assert "SETUP    S redis_url" in shown
