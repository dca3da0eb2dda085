"""Who may do what: every library, collection, image, file, bulk-action and team URL, per person.

Read a row as: "this request, made by the design team's owner / editor / viewer, by the outsider
(a member of another team), by the staff admin (in no team) and by someone logged out, answers
with these statuses" (the personas of tests/world.py).
Anyone outside the team, staff too, gets 404 (they must not learn the team or image exists);
members lacking the role get 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.urls import reverse

from studio.models import Collection, LibraryItem, Role
from tests.world import PERSONAS, World, make_image, store_test_image

pytestmark = [pytest.mark.long, pytest.mark.django_db]

LOGIN = 302  # anonymous people are sent to the login page


@dataclass
class Scene:
    """What requests act on: an image the editor made in the team, one the owner made, a board."""

    world: object
    team_image: object
    owners_image: object
    collection: Collection
    personal: dict = field(default_factory=dict)  # persona -> an image of their own, not shared


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker) -> Iterator[Scene]:
    """Built once for the module's 170 tests, inside a transaction that is rolled back at the end.
    Each test runs in a savepoint within it (the django_db mark), so what one changes is undone
    before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = World().build()
        team_image = store_test_image(world.editor, team=world.team, prompt="harbour at dawn")
        owners_image = make_image(world.owner, team=world.team, prompt="owner's lighthouse")
        collection = Collection.objects.create(team=world.team, name="Moodboard")
        collection.items.add(LibraryItem.objects.get(team=world.team, image=team_image))
        personal = {name: make_image(world.person(name), prompt="mine") for name in PERSONAS}
        yield Scene(world, team_image, owners_image, collection, personal)
        transaction.set_rollback(True)


CONFIRMED = {"confirm": "yes"}  # destructive actions ask first (studio/views/confirm.py)


@dataclass(frozen=True)
class Cell:
    name: str
    method: str
    url: Callable[[Scene], str]
    expected: tuple[int, int, int, int, int]  # owner, editor, viewer, outsider, staff
    data: Callable[[Scene, str], dict] = lambda scene, persona: {}


def team_url(name: str, *extra) -> Callable[[Scene], str]:
    return lambda scene: reverse(name, args=["design", *extra])


def collection_url(name: str) -> Callable[[Scene], str]:
    return lambda scene: reverse(name, args=["design", scene.collection.pk])


def image_url(name: str) -> Callable[[Scene], str]:
    return lambda scene: reverse(name, args=[scene.team_image.pk])


def selected(scene: Scene, persona: str) -> dict:
    return {"image": [str(scene.team_image.pk)]}


ALL_MEMBERS = (200, 200, 200, 404, 404)
ORGANISERS_ONLY = (302, 302, 403, 404, 404)
OWNERS_ONLY = (302, 403, 403, 404, 404)

MATRIX = [
    # Pages
    Cell("team list", "get", lambda s: reverse("team-list"), (200, 200, 200, 200, 200)),
    Cell("team page", "get", team_url("team-detail"), ALL_MEMBERS),
    Cell("library page", "get", team_url("team-library"), ALL_MEMBERS),
    Cell("collections page", "get", team_url("collection-list"), ALL_MEMBERS),
    Cell("collection page", "get", collection_url("collection-detail"), ALL_MEMBERS),
    Cell("image page", "get", image_url("image-detail"), ALL_MEMBERS),
    Cell("image file", "get", image_url("image-file"), ALL_MEMBERS),
    Cell("image thumbnail", "get", image_url("image-thumbnail"), ALL_MEMBERS),
    Cell("image download", "get", image_url("image-download"), ALL_MEMBERS),
    # Looking and downloading: every member
    Cell("favourite star", "post", image_url("image-favourite"), (302, 302, 302, 404, 404)),
    Cell("download zip", "post", team_url("library-download"), ALL_MEMBERS, selected),
    # Organising: owners and editors
    Cell(
        "add to collection",
        "post",
        team_url("library-collect"),
        ORGANISERS_ONLY,
        lambda s, p: {**selected(s, p), "collection": str(s.collection.pk)},
    ),
    Cell(
        "add tag",
        "post",
        team_url("library-tag"),
        ORGANISERS_ONLY,
        lambda s, p: {**selected(s, p), "tag_name": "blue"},
    ),
    Cell(
        "remove tag",
        "post",
        team_url("library-untag"),
        ORGANISERS_ONLY,
        lambda s, p: {**selected(s, p), "tag_name": "blue"},
    ),
    Cell(
        "new collection",
        "post",
        team_url("collection-create"),
        ORGANISERS_ONLY,
        lambda s, p: {"name": "Board two"},
    ),
    Cell(
        "take out of collection",
        "post",
        collection_url("collection-remove"),
        ORGANISERS_ONLY,
        selected,
    ),
    Cell(
        "delete collection",
        "post",
        collection_url("collection-delete"),
        ORGANISERS_ONLY,
        lambda s, p: CONFIRMED,
    ),
    Cell(
        "share own image to team",
        "post",
        lambda s: reverse("history-share"),
        (302, 302, 400, 400, 400),  # the team is not among the choices: a form error
        lambda s, p: {"image": [str(s.personal[p].pk)], "team": "design"},
    ),
    # Removing from the team: the image's creator (here the editor) or an owner
    Cell(
        "remove editor's image from team",
        "post",
        team_url("library-remove"),
        (302, 302, 403, 404, 404),
        selected,
    ),
    Cell(
        "remove owner's image from team",
        "post",
        team_url("library-remove"),
        (302, 403, 403, 404, 404),
        lambda s, p: {"image": [str(s.owners_image.pk)]},
    ),
    # Team management: owners only
    Cell(
        "add member",
        "post",
        team_url("member-add"),
        OWNERS_ONLY,
        lambda s, p: {"username": "bob", "role": Role.VIEWER},
    ),
    Cell(
        "change role",
        "post",
        team_url("member-role", "vic"),
        OWNERS_ONLY,
        lambda s, p: {"role": Role.EDITOR},
    ),
    Cell(
        "remove member",
        "post",
        team_url("member-remove", "vic"),
        OWNERS_ONLY,
        lambda s, p: CONFIRMED,
    ),
    Cell("leave team", "post", team_url("team-leave"), (302, 302, 302, 404, 404)),
]


@pytest.mark.parametrize("persona", [*PERSONAS, "anonymous"])
@pytest.mark.parametrize("cell", MATRIX, ids=[cell.name for cell in MATRIX])
def test_permission_matrix(client, scene, cell: Cell, persona: str):
    if persona == "anonymous":
        expected = LOGIN
        data = cell.data(scene, "owner")
    else:
        expected = cell.expected[PERSONAS.index(persona)]
        client.force_login(scene.world.person(persona))
        data = cell.data(scene, persona)

    response = getattr(client, cell.method)(cell.url(scene), data)

    assert response.status_code == expected, f"{cell.name} as {persona}"


@pytest.mark.parametrize("persona", ["viewer", "outsider", "staff"])
def test_refused_changes_change_nothing(client, scene, persona):
    client.force_login(scene.world.person(persona))
    client.post(reverse("library-remove", args=["design"]), {"image": [str(scene.team_image.pk)]})
    client.post(reverse("member-remove", args=["design", "alice"]), CONFIRMED)
    client.post(reverse("collection-delete", args=["design", scene.collection.pk]), CONFIRMED)

    assert LibraryItem.objects.filter(team=scene.world.team, image=scene.team_image).exists()
    assert scene.world.team.memberships.filter(user__username="alice").exists()
    assert Collection.objects.filter(pk=scene.collection.pk).exists()


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("library-collect", {"image": ["not-a-uuid"], "collection": "nope"}),
        ("library-collect", {}),
        ("library-tag", {"image": [], "tag_name": "   "}),
        ("library-remove", {"image": ["12"]}),
        ("library-download", {}),
        ("collection-create", {"name": ""}),
        ("member-add", {"username": "nobody-by-that-name", "role": "viewer"}),
        ("member-add", {"username": "alice", "role": "boss"}),
    ],
)
def test_bad_input_is_a_form_error_never_a_500(client, scene, url_name, data):
    client.force_login(scene.world.owner)

    response = client.post(reverse(url_name, args=["design"]), data)

    assert response.status_code == 400
    assert b'class="error"' in response.content
