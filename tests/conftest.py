"""Fixtures shared by the whole suite: the world (tests/world.py) and what every test needs.
Real services live in tests/fixtures/; tests/README.md says where everything is."""

from __future__ import annotations

import pytest

from studio.models import Team
from tests.world import World, create_person, make_image, store_test_image

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.sandbox",
    "tests.fixtures.services",
    "tests.fixtures.browser",
    "tests.fixtures.quota",
    "tests.fixtures.asgi",
]


# --- The world: people, teams, the sandbox's models, jobs and images (tests/world.py) ----------


@pytest.fixture
def world(db) -> World:
    """The whole cast in place: Design with its owner, editor and viewer, Ops with the outsider,
    and the staff admin (tests/world.py). Other fixtures take pieces of the same world."""
    return World().build()


@pytest.fixture
def alice(db):
    """The editor persona alone (in no team until `design` or `world` places her)."""
    return World().editor


@pytest.fixture
def bob(db):
    """The outsider persona alone (his team, Ops, comes with `world`)."""
    return World().outsider


@pytest.fixture
def design(db) -> Team:
    """The world's team, Design: olive owner, alice editor, vic viewer."""
    return World().team


@pytest.fixture
def other_team(db) -> Team:
    """Ops, the outsider's team: one the others are not in."""
    return World().other_team


@pytest.fixture
def make_user(db):
    """`make_user(username, **extra)`: someone beyond the cast (a crowd, a newcomer)."""
    return create_person


@pytest.fixture
def admin_user(db):
    """pytest-django's `admin_client` logs in as this: the staff persona with every admin right."""
    return World().superuser()


@pytest.fixture
def sandbox_models(sandbox, db, monkeypatch) -> dict:
    """The sandbox registered as `make run` registers it; returns {model name: ProviderModel}."""
    monkeypatch.setenv("SANDBOX_BASE_URL", sandbox.base_url)
    return World().sandbox_models()


@pytest.fixture
def submit(sandbox_models, alice):
    """`submit(prompt, model="gpt-image-1", owner=alice, n=1, **params)` -> a queued Job."""
    return World(models=sandbox_models).submit


@pytest.fixture
def quick_image(db):
    """`quick_image(owner, prompt=..., team=..., origin=...)`: a row with made-up file names."""
    return make_image


@pytest.fixture
def stored_image(db):
    """`stored_image(owner, prompt=..., team=...)`: an image stored for real, with thumbnail."""
    return store_test_image


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
