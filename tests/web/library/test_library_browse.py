"""Browsing (history and team library share one path), sharing, removing, deleting, and teams."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from jobs.models import Image, ImageOrigin
from studio.library import LibraryFilters, browse_images, history_images, team_library_images
from studio.models import Collection, Favourite, LibraryItem, Membership, Role, Tag


def browse(base, viewer, **filters) -> list[Image]:
    return browse_images(base, viewer=viewer, filters=LibraryFilters(**filters)).object_list


def test_history_lists_only_my_images_newest_first(client, world, quick_image):
    older = quick_image(world.editor, created_at=datetime(2025, 1, 1, tzinfo=UTC))
    newer = quick_image(world.editor, created_at=datetime(2025, 2, 1, tzinfo=UTC))
    quick_image(world.owner)
    client.force_login(world.editor)

    response = client.get(reverse("history"))

    assert [image.pk for image in response.context["page"].object_list] == [newer.pk, older.pk]


def test_history_pages_through_images(client, world, quick_image, settings):
    settings.STUDIO_HISTORY_PAGE_SIZE = 2
    for _ in range(5):
        quick_image(world.editor)
    client.force_login(world.editor)

    last = client.get(reverse("history"), {"page": 3})
    nonsense = client.get(reverse("history"), {"page": "abc"})

    assert len(last.context["page"].object_list) == 1
    assert not last.context["page"].has_next
    assert nonsense.context["page"].number == 1


def test_team_library_filters(world, quick_image):
    design = world.team
    fox = quick_image(
        world.editor,
        team=design,
        prompt="a red fox",
        model_name="grok-2-image",
        provider_name="relay-a",
        created_at=datetime(2025, 3, 1, tzinfo=UTC),
    )
    owl = quick_image(
        world.owner,
        team=design,
        prompt="an owl",
        origin=ImageOrigin.EDITED,
        created_at=datetime(2025, 4, 1, tzinfo=UTC),
    )
    library = team_library_images(design)
    board = Collection.objects.create(team=design, name="Board")
    board.items.add(LibraryItem.objects.get(image=fox))
    Tag.objects.create(team=design, name="night").items.add(LibraryItem.objects.get(image=owl))
    Favourite.objects.create(user=world.viewer, image=owl)

    assert browse(library, world.viewer) == [owl, fox]
    assert browse(library, world.viewer, creator_id=world.editor.pk) == [fox]
    assert browse(library, world.viewer, model_name="grok-2-image") == [fox]
    assert browse(library, world.viewer, provider_name="relay-a") == [fox]
    assert browse(library, world.viewer, origin=ImageOrigin.EDITED) == [owl]
    assert browse(library, world.viewer, date_from=datetime(2025, 3, 15).date()) == [owl]
    assert browse(library, world.viewer, date_to=datetime(2025, 3, 15).date()) == [fox]
    assert browse(library, world.viewer, favourites_only=True) == [owl]
    assert browse(library, world.editor, favourites_only=True) == []  # stars are per person
    assert browse(library, world.viewer, collection=board) == [fox]
    assert browse(library, world.viewer, tag=Tag.objects.get(name="night")) == [owl]


def test_filters_through_the_page(client, world, quick_image):
    quick_image(world.editor, team=world.team, prompt="a red fox")
    owl = quick_image(world.owner, team=world.team, prompt="an owl")
    client.force_login(world.viewer)

    response = client.get(
        reverse("team-library", args=["design"]), {"q": "owl", "creator": world.owner.pk}
    )

    assert response.context["page"].object_list == [owl]
    assert b"an owl" in response.content


def test_a_bad_filter_is_shown_next_to_its_field(client, world, quick_image):
    quick_image(world.editor, team=world.team)
    client.force_login(world.viewer)

    response = client.get(
        reverse("team-library", args=["design"]),
        {"date_from": "2025-05-01", "date_to": "2025-04-01"},
    )

    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_search_finds_every_word_of_the_prompt(world, quick_image):
    fox = quick_image(world.editor, team=world.team, prompt="A red fox in the snow")
    quick_image(world.editor, team=world.team, prompt="A red barn")
    revised = quick_image(world.editor, team=world.team, prompt="x", revised_prompt="snowy fox")
    library = team_library_images(world.team)

    assert set(browse(library, world.editor, search="fox")) == {fox, revised}
    assert browse(library, world.editor, search="red fox") == [fox]


@pytest.mark.postgres
def test_postgres_search_is_full_text(world, quick_image):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search runs on PostgreSQL (set DATABASE_URL)")
    foxes = quick_image(world.editor, team=world.team, prompt="Two foxes running through snow")
    quick_image(world.editor, team=world.team, prompt="A fox-coloured barn door")
    library = team_library_images(world.team)

    assert browse(library, world.editor, search="running fox") == [foxes]  # stemmed: foxes, running
    assert browse(library, world.editor, search="fox -barn") == [foxes]  # websearch syntax


def test_a_team_job_puts_its_images_in_the_team_library(world, stored_image):
    image = stored_image(world.editor, team=world.team)

    item = LibraryItem.objects.get(image=image)

    assert (item.team, item.added_by) == (world.team, world.editor)


def test_sharing_references_the_same_file(client, world, stored_image):
    image = stored_image(world.editor)
    client.force_login(world.editor)

    response = client.post(reverse("history-share"), {"image": [str(image.pk)], "team": "design"})

    assert response.status_code == 302
    assert Image.objects.count() == 1  # no copy
    shared = team_library_images(world.team).get()
    assert (shared.pk, shared.file.name) == (image.pk, image.file.name)
    client.force_login(world.viewer)
    assert client.get(reverse("image-file", args=[image.pk])).status_code == 200


def test_only_own_images_can_be_shared(client, world, quick_image):
    someone_elses = quick_image(world.viewer)
    client.force_login(world.editor)

    client.post(reverse("history-share"), {"image": [str(someone_elses.pk)], "team": "design"})

    assert not LibraryItem.objects.exists()


def test_leaving_the_team_leaves_the_images_with_the_team(client, world, stored_image):
    image = stored_image(world.editor, team=world.team)
    client.force_login(world.editor)

    client.post(reverse("team-leave", args=["design"]))

    assert not Membership.objects.filter(team=world.team, user=world.editor).exists()
    assert list(team_library_images(world.team)) == [image]
    assert client.get(reverse("team-library", args=["design"])).status_code == 404
    client.force_login(world.viewer)
    assert client.get(reverse("image-file", args=[image.pk])).status_code == 200


def test_removing_from_the_team_keeps_the_image_in_history(client, world, quick_image):
    image = quick_image(world.editor, team=world.team)
    client.force_login(world.owner)

    client.post(reverse("library-remove", args=["design"]), {"image": [str(image.pk)]})

    assert not team_library_images(world.team).exists()
    assert list(history_images(world.editor)) == [image]
    client.force_login(world.viewer)
    assert client.get(reverse("image-detail", args=[image.pk])).status_code == 404


def test_deleting_from_history_keeps_what_a_team_holds(
    client, world, stored_image, django_capture_on_commit_callbacks
):
    personal = stored_image(world.editor)
    shared = stored_image(world.editor, team=world.team)
    client.force_login(world.editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("history-delete"),
            {"image": [str(personal.pk), str(shared.pk)], "confirm": "yes"},
            follow=True,
        )

    assert list(Image.objects.all()) == [shared]
    text = response.content.decode()
    assert "Deleted 1 image." in text
    assert "Kept the images shared with Design" in text
    assert not default_storage.exists(personal.file.name)
    assert default_storage.exists(shared.file.name)


def test_download_selected_as_zip(client, world, stored_image):
    first = stored_image(world.editor, team=world.team, color=(1, 2, 3))
    second = stored_image(world.owner, team=world.team, color=(4, 5, 6))
    client.force_login(world.viewer)

    response = client.post(
        reverse("library-download", args=["design"]), {"image": [str(first.pk), str(second.pk)]}
    )

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert response["Content-Type"] == "application/zip"
    assert len(archive.namelist()) == 2
    assert {zipped.file_size for zipped in archive.infolist()} == {first.bytes, second.bytes}


def test_collect_and_tag_from_the_library(client, world, quick_image):
    image = quick_image(world.editor, team=world.team)
    client.force_login(world.editor)
    selection = {"image": [str(image.pk)]}

    client.post(reverse("library-collect", args=["design"]), {**selection, "new_collection": "Ads"})
    client.post(reverse("library-tag", args=["design"]), {**selection, "tag_name": " Summer "})

    item = LibraryItem.objects.get(image=image)
    assert [c.name for c in item.collections.all()] == ["Ads"]
    assert [t.name for t in item.tags.all()] == ["summer"]
    client.post(reverse("library-untag", args=["design"]), {**selection, "tag_name": "summer"})
    assert not item.tags.exists()


def test_favourite_star_toggles_with_htmx(client, world, quick_image):
    image = quick_image(world.editor, team=world.team)
    client.force_login(world.viewer)
    url = reverse("image-favourite", args=[image.pk])

    starred = client.post(url, headers={"HX-Request": "true"})
    unstarred = client.post(url, headers={"HX-Request": "true"})

    assert 'aria-pressed="true"' in starred.content.decode()
    assert 'aria-pressed="false"' in unstarred.content.decode()
    assert not Favourite.objects.exists()


def test_image_page_shows_library_and_share(client, world, stored_image):
    image = stored_image(world.editor)
    client.force_login(world.editor)

    page = client.get(reverse("image-detail", args=[image.pk])).content.decode()

    assert "Share to team" in page
    assert 'aria-label="Favourite"' in page


# --- Team management --------------------------------------------------------------------------


def test_owner_adds_a_member_and_changes_roles(client, world):
    client.force_login(world.owner)

    client.post(reverse("member-add", args=["design"]), {"username": "bob", "role": "viewer"})
    client.post(reverse("member-role", args=["design", "bob"]), {"role": "editor"})

    assert Membership.objects.get(team=world.team, user=world.outsider).role == Role.EDITOR


def test_an_unknown_username_is_explained_next_to_the_field(client, world):
    client.force_login(world.owner)

    response = client.post(
        reverse("member-add", args=["design"]), {"username": "nobody", "role": "viewer"}
    )

    assert "There is no one with the username “nobody”." in response.content.decode()


@pytest.mark.parametrize("change", ["remove", "demote", "leave"])
def test_the_last_owner_stays(client, world, change):
    client.force_login(world.owner)
    urls = {
        "remove": (reverse("member-remove", args=["design", "olive"]), {"confirm": "yes"}),
        "demote": (reverse("member-role", args=["design", "olive"]), {"role": "viewer"}),
        "leave": (reverse("team-leave", args=["design"]), {}),
    }

    response = client.post(*urls[change], follow=True)

    assert Membership.objects.get(team=world.team, user=world.owner).role == Role.OWNER
    assert "last owner" in response.content.decode()


def test_with_a_second_owner_the_first_may_go(client, world):
    Membership.objects.filter(team=world.team, user=world.editor).update(role=Role.OWNER)
    client.force_login(world.owner)

    client.post(reverse("team-leave", args=["design"]))

    assert not Membership.objects.filter(team=world.team, user=world.owner).exists()
