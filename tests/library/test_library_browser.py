"""In a real browser: one member shares an image, another finds it by a word of its prompt and puts
it in a collection, and a viewer sees it but has no way to delete it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jobs.models import ImageOrigin
from jobs.storage import store_image
from studio.library import add_to_library
from studio.models import LibraryItem, Membership, Role, Team
from tests.fixtures.browser import log_in
from tests.fixtures.factories import make_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROMPT = "A lighthouse on a cliff at dusk, in watercolour"


@pytest.fixture
def studio_team(make_user, png_bytes):
    maya, nico, vera = make_user("maya"), make_user("nico"), make_user("vera")
    team = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=team, user=maya, role=Role.OWNER)
    Membership.objects.create(team=team, user=nico, role=Role.EDITOR)
    Membership.objects.create(team=team, user=vera, role=Role.VIEWER)
    job = make_job(maya, prompt=PROMPT, status="succeeded")
    image = store_image(png_bytes(48, 48), owner=maya, origin=ImageOrigin.GENERATED, job=job)
    # Something else in the library, so that the search has something to leave out.
    other = store_image(
        png_bytes(48, 48, (9, 9, 9)),
        owner=nico,
        origin=ImageOrigin.GENERATED,
        job=make_job(nico, prompt="A bowl of lemons", team=team, status="succeeded"),
        team=team,
    )
    add_to_library(team, [other], added_by=nico)  # as the job's ending has it filed
    return {"team": team, "image": image, "other": other}


def test_share_find_collect_and_view_only(new_page, live_server, studio_team):
    base = live_server.url
    image = studio_team["image"]

    # Maya shares her image from her history into the team.
    maya = new_page()
    log_in(maya, base, "maya", "/history/")
    maya.get_by_label(re.compile(r"^Select: A lighthouse")).check()
    maya.get_by_label("Share to team").select_option(label="Design")
    maya.get_by_role("button", name="Share", exact=True).click()
    maya.get_by_text("Shared 1 image with Design.").wait_for()
    assert LibraryItem.objects.filter(team=studio_team["team"], image=image).exists()

    # Nico finds it by a word of its prompt and adds it to a new collection.
    nico = new_page()
    log_in(nico, base, "nico", "/teams/")
    nico.get_by_role("link", name="Design").click()
    nico.get_by_label("Search prompts").fill("lighthouse")
    nico.get_by_role("button", name="Filter").click()
    thumbnails = nico.locator("ul.thumbs img")
    thumbnails.first.wait_for()
    expect(thumbnails).to_have_count(1)
    assert "lighthouse" in thumbnails.first.get_attribute("alt")
    nico.get_by_label(re.compile(r"^Select: A lighthouse")).check()
    nico.get_by_label("New collection", exact=True).fill("Coast")
    nico.get_by_role("button", name="Add to collection").click()
    nico.get_by_text("Added 1 image to “Coast”.").wait_for()
    nico.get_by_role("link", name="Collections").click()
    nico.get_by_role("link", name="Coast").click()
    # The click only starts the navigation: wait for the collection's page, not the old one.
    expect(nico.get_by_role("heading", name="Coast")).to_be_visible()
    expect(nico.locator("ul.thumbs img")).to_have_count(1)

    # Vera, a viewer, sees it and can download it, but is offered no way to delete it.
    vera = new_page()
    log_in(vera, base, "vera", "/teams/design/library/")
    vera.get_by_role("img", name=re.compile("lighthouse")).wait_for()
    assert vera.get_by_role("button", name="Download as zip").is_visible()
    assert vera.get_by_role("button", name="Remove from team").count() == 0
    vera.get_by_role("link", name=re.compile("lighthouse")).click()
    vera.get_by_role("dialog", name="Image viewer").get_by_role("link", name="Image page").click()
    vera.get_by_role("heading", name="Generated image").wait_for()
    assert vera.get_by_role("link", name="Download").is_visible()
    assert vera.get_by_role("button", name=re.compile("Delete|Remove")).count() == 0
    assert LibraryItem.objects.filter(team=studio_team["team"], image=image).exists()
