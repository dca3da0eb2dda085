"""Fixtures shared by the whole suite. Real services live in tests/fixtures/."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.sandbox",
    "tests.fixtures.services",
    "tests.fixtures.browser",
]


PASSWORD = "pass-word-123"


def create_person(username: str, **extra):
    """The suite's one way to make a person: `username@example.com`, password PASSWORD."""
    return get_user_model().objects.create_user(
        username, f"{username}@example.com", PASSWORD, **extra
    )


@pytest.fixture
def make_user(db):
    """`make_user(username, **extra)`: a person, in a test that has the database."""
    return create_person


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def sandbox_models(sandbox, db, monkeypatch) -> dict:
    """The sandbox registered as `make run` registers it; returns {model name: ProviderModel}."""
    from django.conf import settings

    from jobs.models import ProviderModel
    from jobs.providers_file import load_providers_file

    monkeypatch.setenv("SANDBOX_BASE_URL", sandbox.base_url)
    load_providers_file(os.path.join(settings.BASE_DIR, "jobs", "sandbox", "providers.toml"))
    return {model.name: model for model in ProviderModel.objects.select_related("provider")}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files marked `long` first, each file's tests kept together and in order: pytest-xdist hands
    files to the test processes in this order (.ci/pytest.sh turns off its own by-size order)."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """The test client's requests activate the session's language (and zone) in this thread, and
    Django leaves them active after the response: a test in Chinese would otherwise make the next
    one's management command or form speak Chinese."""
    from django.utils import timezone, translation

    yield
    translation.deactivate()
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _broker_is_the_test_redis(request: pytest.FixtureRequest) -> None:
    """A test that touches the database may enqueue (on commit): make sure the test broker runs.

    The broker address is already the test one (tests/fixtures/services.py sets it at import), so
    a pure-function test needs no Redis at all.
    """
    uses_database = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if uses_database:
        request.getfixturevalue("no_slots_held")


@pytest.fixture
def png_bytes():
    """`png_bytes(width, height, color)` -> the bytes of a real PNG (tests.fixtures.images.png)."""
    from tests.fixtures.images import png

    return png


@pytest.fixture
def submit(sandbox_models, alice):
    """`submit(prompt, model="gpt-image-1", owner=alice, n=1, **params)` -> a queued Job."""
    from studio.submit import JobSpec, submit_job

    def make(prompt: str, model: str = "gpt-image-1", owner=None, n: int = 1, **params):
        spec = JobSpec(
            owner=owner or alice, model=sandbox_models[model], prompt=prompt, n=n, params=params
        )
        return submit_job(spec)

    return make


@pytest.fixture(autouse=True)
def _jobs_end_before_the_database_is_flushed(request):
    """A transactional test shares its database with a worker process (and a live server). Jobs
    still running when the test ends would hold row locks while the tables are truncated, and
    PostgreSQL would break the deadlock by failing the flush. End them first, then let the hops
    in flight let go.
    """
    transactional = "transactional_db" in request.fixturenames or "live_server" in (
        request.fixturenames
    )
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        transactional = True
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")  # so this teardown runs before the flush
    yield
    import time

    from jobs import engine
    from jobs.models import Job
    from jobs.models.job import FINAL_STATUSES

    unfinished = list(Job.objects.exclude(status__in=FINAL_STATUSES).values_list("pk", flat=True))
    for job_id in unfinished:
        engine.cancel_job(job_id)
    leased = Job.objects.filter(lease_owner__isnull=False).exists()
    deadline = time.monotonic() + 5
    while Job.objects.filter(lease_owner__isnull=False).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if unfinished or leased:
        time.sleep(0.2)  # a hop that just lost its job finishes its last (refused) write
