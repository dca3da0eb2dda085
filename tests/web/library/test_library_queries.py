"""With 20,000 images in the team, the library page's number of SQL queries is the same whatever
the page size or page number (no query per thumbnail, no per-page growth)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from studio.models import Collection, Tag, Team
from tests.world import World, fill_team_library

pytestmark = pytest.mark.long

IMAGES = 20_000
IMAGES_PER_JOB = 4


@dataclass
class BigLibrary:
    team: Team
    owner: object


@pytest.fixture(scope="module")
def big_library(django_db_setup, django_db_blocker) -> Iterator[BigLibrary]:
    """The 20,000 images, made once for the module (filling takes seconds, each test milliseconds).

    Built inside a transaction that is rolled back after the last test, so nothing outlives the
    module; each test's own transaction nests inside it as a savepoint, as with setUpTestData.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        world = World()
        team, owner = world.team, world.owner
        fill_team_library(team, [owner, world.editor], IMAGES, IMAGES_PER_JOB)
        # Check the deferred foreign keys now, once: else every test's teardown checks them again.
        connection.check_constraints()
        yield BigLibrary(team=team, owner=owner)
        transaction.set_rollback(True)


def queries_for(client, url: str, params: dict) -> tuple[int, int]:
    """(number of SQL queries, number of thumbnails) for one page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), len(response.context["page"].object_list)


@pytest.mark.parametrize(
    "filters",
    [{}, {"q": "harbour"}, {"favourites": "on"}, {"tag": "blue-tag"}, {"collection": "best"}],
    ids=["no filter", "search", "favourites", "tag", "collection"],
)
def test_library_queries_do_not_grow_with_page_size_or_number(
    client, db, big_library, settings, filters
):
    client.force_login(big_library.owner)
    url = reverse("team-library", args=["design"])
    params = dict(filters)
    if "tag" in params:
        params["tag"] = Tag.objects.get(name="blue").pk
    if "collection" in params:
        params["collection"] = Collection.objects.get(name="Best").pk

    settings.STUDIO_HISTORY_PAGE_SIZE = 30
    small_first = queries_for(client, url, params)
    settings.STUDIO_HISTORY_PAGE_SIZE = 60
    large_first = queries_for(client, url, params)
    large_deep = queries_for(client, url, {**params, "page": 20 if filters else 200})

    assert small_first[1] == 30
    assert large_first[1] == large_deep[1] == 60  # page 200 (or 20) is full: a real deep page
    assert small_first[0] == large_first[0] == large_deep[0]


def test_history_queries_do_not_grow_either(client, db, big_library, settings):
    client.force_login(big_library.owner)  # half of the 20,000 are the owner's
    url = reverse("history")

    settings.STUDIO_HISTORY_PAGE_SIZE = 30
    small_first = queries_for(client, url, {})
    settings.STUDIO_HISTORY_PAGE_SIZE = 60
    large_deep = queries_for(client, url, {"page": 150})

    assert (small_first[1], large_deep[1]) == (30, 60)
    assert small_first[0] == large_deep[0]
