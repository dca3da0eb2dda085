"""The suite's own promises: what a test needs is what it asks for."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def fixtures_set_up(test_id: str) -> str:
    """The test run on its own, with each fixture it set up listed (`--setup-show`).

    On SQLite whatever the suite runs on: the promise is about fixtures, and migrating a fresh
    PostgreSQL test database would cost this one test some 20 s."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--setup-show", "-p", "no:cacheprovider", test_id],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "sqlite:///:memory:"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_test_without_the_database_needs_no_redis():
    shown = fixtures_set_up("tests/providers/test_http.py::test_500_is_transient")
    assert "SETUP    F sandbox" in shown  # the listing is real: the test's own fixtures are in it
    assert "redis_url" not in shown


def test_a_test_with_the_database_gets_the_test_broker():
    shown = fixtures_set_up("tests/quota/test_quota_ledger.py::test_it_reserves_within_the_limit")
    assert "SETUP    S redis_url" in shown
