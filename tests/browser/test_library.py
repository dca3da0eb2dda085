"""In a real browser: one member shares an image, another finds it by a word of its prompt and puts
it in a collection, and a viewer sees it but has no way to delete it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jobs.models import ImageOrigin
from jobs.storage import store_image
from studio.library import add_to_library
from studio.models import LibraryItem
from tests.fixtures.browser import log_in
from tests.world import make_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROMPT = "A lighthouse on a cliff at dusk, in watercolour"


@pytest.fixture
def studio_team(world, png_bytes):
    """The world's team: olive (owner) made an image of her own, alice (editor) one in the team."""
    olive, alice, team = world.owner, world.editor, world.team
    job = make_job(olive, prompt=PROMPT, status="succeeded")
    image = store_image(png_bytes(48, 48), owner=olive, origin=ImageOrigin.GENERATED, job=job)
    # Something else in the library, so that the search has something to leave out.
    other = store_image(
        png_bytes(48, 48, (9, 9, 9)),
        owner=alice,
        origin=ImageOrigin.GENERATED,
        job=make_job(alice, prompt="A bowl of lemons", team=team, status="succeeded"),
        team=team,
    )
    add_to_library(team, [other], added_by=alice)  # as the job's ending has it filed
    return {"team": team, "image": image, "other": other}


def test_share_find_collect_and_view_only(new_page, live_server, studio_team):
    base = live_server.url
    image = studio_team["image"]

    # Olive (the owner) shares her image from her history into the team.
    olive = new_page()
    log_in(olive, base, "olive", "/history/")
    olive.get_by_label(re.compile(r"^Select: A lighthouse")).check()
    olive.get_by_label("Share to team").select_option(label="Design")
    olive.get_by_role("button", name="Share", exact=True).click()
    olive.get_by_text("Shared 1 image with Design.").wait_for()
    assert LibraryItem.objects.filter(team=studio_team["team"], image=image).exists()

    # Alice (an editor) finds it by a word of its prompt and adds it to a new collection.
    alice = new_page()
    log_in(alice, base, "alice", "/teams/")
    alice.get_by_role("link", name="Design").click()
    alice.get_by_label("Search prompts").fill("lighthouse")
    alice.get_by_role("button", name="Filter").click()
    thumbnails = alice.locator("ul.thumbs img")
    thumbnails.first.wait_for()
    expect(thumbnails).to_have_count(1)
    assert "lighthouse" in thumbnails.first.get_attribute("alt")
    alice.get_by_label(re.compile(r"^Select: A lighthouse")).check()
    alice.get_by_label("New collection", exact=True).fill("Coast")
    alice.get_by_role("button", name="Add to collection").click()
    alice.get_by_text("Added 1 image to “Coast”.").wait_for()
    alice.get_by_role("link", name="Collections").click()
    alice.get_by_role("link", name="Coast").click()
    # The click only starts the navigation: wait for the collection's page, not the old one.
    expect(alice.get_by_role("heading", name="Coast")).to_be_visible()
    expect(alice.locator("ul.thumbs img")).to_have_count(1)

    # Vic, a viewer, sees it and can download it, but is offered no way to delete it.
    vic = new_page()
    log_in(vic, base, "vic", "/teams/design/library/")
    vic.get_by_role("img", name=re.compile("lighthouse")).wait_for()
    assert vic.get_by_role("button", name="Download as zip").is_visible()
    assert vic.get_by_role("button", name="Remove from team").count() == 0
    vic.get_by_role("link", name=re.compile("lighthouse")).click()
    vic.get_by_role("dialog", name="Image viewer").get_by_role("link", name="Image page").click()
    vic.get_by_role("heading", name="Generated image").wait_for()
    assert vic.get_by_role("link", name="Download").is_visible()
    assert vic.get_by_role("button", name=re.compile("Delete|Remove")).count() == 0
    assert LibraryItem.objects.filter(team=studio_team["team"], image=image).exists()
