"""The lightbox's server side: the grids mark their links for it, and each image's panel offers
its actions (and, for an edit, its source to compare) to those who may see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import ImageOrigin, JobKind
from studio.models import Favourite, LibraryItem
from studio.submit import store_upload
from tests.fixtures.images import png


def panel(client, image) -> str:
    response = client.get(reverse("image-lightbox", args=[image.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_panel_offers_every_action_on_a_generated_image(client, world, quick_image):
    image = quick_image(world.editor, prompt="a red fox in the snow")
    client.force_login(world.editor)

    page = panel(client, image)

    assert "a red fox in the snow" in page
    assert ">Copy prompt</button>" in page
    assert f'href="/images/{image.pk}/download/" download>Download original</a>' in page
    assert f'href="/edit/?image={image.pk}">Edit</a>' in page
    assert f'href="/generate/?image={image.pk}">Use as reference</a>' in page
    assert f'href="/generate/?from_job={image.job.pk}">Use these settings</a>' in page
    assert f'action="/images/{image.pk}/favourite/"' in page
    assert 'aria-pressed="false"' in page
    assert "Before / after" not in page


def test_the_panel_shows_the_star_as_it_stands(client, world, quick_image):
    image = quick_image(world.editor)
    Favourite.objects.create(user=world.editor, image=image)
    client.force_login(world.editor)

    assert 'aria-pressed="true"' in panel(client, image)


def test_an_edits_settings_reopen_the_edit_form(client, world, quick_image):
    image = quick_image(world.editor, origin=ImageOrigin.EDITED, kind=JobKind.EDIT)
    client.force_login(world.editor)

    assert f'href="/edit/?from_job={image.job.pk}">Use these settings</a>' in panel(client, image)


def test_an_edit_is_compared_with_its_source(client, world, quick_image):
    source = quick_image(world.editor)
    edited = quick_image(world.editor, origin=ImageOrigin.EDITED, kind=JobKind.EDIT)
    edited.sources.add(source)
    client.force_login(world.editor)

    page = panel(client, edited)

    assert f'data-before-src="/images/{source.pk}/file/"' in page
    assert "Before / after" in page
    assert 'type="range"' in page


def test_a_source_the_viewer_may_not_see_is_not_shown(client, world, quick_image):
    """The owner edited an image of her own history and shared only the edit with the team."""
    private = quick_image(world.owner)
    edited = quick_image(world.owner, origin=ImageOrigin.EDITED, kind=JobKind.EDIT)
    edited.sources.add(private)
    LibraryItem.objects.create(team=world.team, image=edited, added_by=world.owner)
    client.force_login(world.viewer)

    page = panel(client, edited)

    assert "Before / after" not in page
    assert str(private.pk) not in page


def test_an_uploaded_image_has_no_prompt_to_copy_nor_settings(client, world):
    upload = store_upload(png(16, 16), owner=world.editor)
    client.force_login(world.editor)

    page = panel(client, upload)

    assert "Copy prompt" not in page
    assert "Use these settings" not in page
    assert f'href="/generate/?image={upload.pk}">Use as reference</a>' in page


@pytest.mark.parametrize("persona", ["outsider", "staff"])
def test_another_persons_panel_is_404(client, world, quick_image, persona):
    image = quick_image(world.editor)
    client.force_login(world.person(persona))

    response = client.get(reverse("image-lightbox", args=[image.pk]))

    assert response.status_code == 404


def test_history_and_library_links_open_the_lightbox(client, world, quick_image):
    image = quick_image(world.editor, team=world.team)  # made in the team: in its library
    client.force_login(world.editor)

    for url in (reverse("history"), reverse("team-library", args=["design"])):
        page = client.get(url).content.decode()
        assert '<ul class="grid thumbs" data-gallery>' in page
        # The link still goes to the image page (without JavaScript); the lightbox reads the rest.
        assert f'<a href="/images/{image.pk}/"' in page
        assert f'data-pswp-src="/images/{image.pk}/file/"' in page
        assert 'data-pswp-width="64" data-pswp-height="64"' in page
        assert f'data-lightbox-panel="/images/{image.pk}/lightbox/"' in page


def test_the_job_page_results_open_the_lightbox(client, world, quick_image):
    image = quick_image(world.editor)
    client.force_login(world.editor)

    page = client.get(reverse("job-detail", args=[image.job.pk])).content.decode()

    assert 'class="grid results" data-gallery' in page
    assert f'data-pswp-src="/images/{image.pk}/file/"' in page


def test_use_as_reference_opens_the_edit_form_with_the_image_chosen(client, world, quick_image):
    image = quick_image(world.editor)
    client.force_login(world.editor)

    as_reference = client.get(f"/edit/?reference={image.pk}").content.decode()
    to_edit = client.get(f"/edit/?image={image.pk}").content.decode()

    for page in (as_reference, to_edit):
        assert f'<input type="hidden" name="source" value="{image.pk}">' in page
    assert "Chosen as a reference" in as_reference
    assert "Chosen as a reference" not in to_edit


def test_nobody_else_can_use_an_image_as_reference(client, world, quick_image):
    image = quick_image(world.editor)
    client.force_login(world.outsider)

    assert client.get(f"/edit/?reference={image.pk}").status_code == 404
