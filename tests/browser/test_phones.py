"""Every page a person meets fits a phone (390×844) without scrolling sideways, for an owner, an
editor and a viewer of a team; the header folds into a menu a keyboard can walk; the filter
drawer counts the filters that narrow the page."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from jobs.models import Batch, BatchKind
from studio.collecting import add_to_collection
from studio.library import share_images
from tests.fixtures.browser import log_in, wait_for_page_to_settle
from tests.world import World, store_test_image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PERSONAS = ("owner", "editor", "viewer")


@pytest.fixture
def studio(sandbox_models):
    """The world's team (owner, editor, viewer), each with a job, an image shared into
    the team's library, a comparison and a personal collection; the team has a collection."""
    world = World().build()
    paths = {}
    for persona in PERSONAS:
        person = world.person(persona)
        image = store_test_image(
            person, prompt=f"a long prompt about a lighthouse, {persona}, " + "waves " * 30
        )
        share_images(person, world.team, [image.pk])
        name = f"{persona}'s laptop"
        call_command(
            "apitoken",
            "create",
            "--user",
            person.get_username(),
            "--name",
            name,
            stdout=io.StringIO(),
        )
        add_to_collection(None, [image.pk], collection=None, new_name="Moodboard", added_by=person)
        batch = Batch.objects.create(owner=person, kind=BatchKind.COMPARE)
        for color in ((200, 40, 40), (40, 200, 40)):
            compared = store_test_image(person, prompt="a fox in the snow", color=color)
            compared.job.batch = batch
            compared.job.save(update_fields=["batch"])
        paths[persona] = {
            "job": f"/jobs/{image.job_id}/",
            "image": f"/images/{image.pk}/",
            "comparison": f"/compare/{batch.pk}/",
            "my collection": f"/collections/{person.personal_collections.get().pk}/",
        }
    shared = [item.image_id for item in world.team.library_items.all()]
    best, _ = add_to_collection(
        world.team, shared, collection=None, new_name="Best", added_by=world.owner
    )
    for own in paths.values():
        own["collection"] = f"/teams/design/collections/{best.pk}/"
    return world, paths


def pages(own: dict[str, str]) -> dict[str, str]:
    return {
        "studio": "/",
        "job": own["job"],
        "my jobs": "/jobs/",
        "history": "/history/",
        "image": own["image"],
        "edit": "/edit/",
        "compare": "/compare/",
        "comparison": own["comparison"],
        "teams": "/teams/",
        "team": "/teams/design/",
        "library": "/teams/design/library/",
        "collection": own["collection"],
        "my collections": "/collections/",
        "my collection": own["my collection"],
        "tokens": "/account/tokens/",
        "preferences": "/preferences/",
        "usage": "/usage/",
        "not found": "/no-such-page/",
    }


def phone(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    return page


def page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_no_page_is_wider_than_a_phone(live_server, new_page, studio):
    world, paths = studio
    too_wide = []
    login = phone(new_page)
    login.goto(f"{live_server.url}/accounts/login/")
    expect(login.get_by_label("Username")).to_be_visible()
    if page_width(login) > PHONE["width"]:
        too_wide.append(("anonymous", "login", page_width(login)))
    for persona in PERSONAS:
        page = phone(new_page)
        log_in(page, live_server.url, world.person(persona).get_username(), None)
        for name, path in pages(paths[persona]).items():
            page.goto(f"{live_server.url}{path}")
            wait_for_page_to_settle(page)
            if (width := page_width(page)) > PHONE["width"]:
                too_wide.append((persona, name, width))
    assert too_wide == []


def test_the_menu_opens_and_a_keyboard_reaches_its_links(live_server, new_page, alice):
    page = phone(new_page)
    log_in(page, live_server.url, "alice", "/usage/")
    menu = page.get_by_role("button", name="Menu")
    history = page.get_by_role("navigation", name="Main").get_by_role("link", name="History")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(history).to_be_hidden()

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(history).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Generate")).to_be_focused()
    for _ in range(20):  # on through the links to the language switcher, in the menu too
        if page.evaluate("() => document.activeElement.name") == "language":
            break
        page.keyboard.press("Tab")
    expect(page.locator("select[name=language]")).to_be_focused()

    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(history).to_be_hidden()

    page.set_viewport_size({"width": 1280, "height": 900})  # on a desk: no menu, the links show
    expect(menu).to_be_hidden()
    expect(history).to_be_visible()


def test_the_filter_drawer_counts_the_active_filters(live_server, new_page, alice):
    store_test_image(alice, prompt="a lighthouse at dawn")
    page = phone(new_page)
    log_in(page, live_server.url, "alice", "/history/")
    drawer = page.locator("details.filter-drawer")
    expect(drawer.locator("summary")).to_have_text("Filters")
    expect(page.get_by_label("Search prompts")).to_be_hidden()  # folded: the images come first
    expect(page.locator(".grid img").first).to_be_in_viewport()

    page.goto(f"{live_server.url}/history/?q=lighthouse&origin=generated&model=")
    expect(drawer.locator("summary")).to_have_text("Filters (2)")
    drawer.locator("summary").click()
    expect(page.get_by_label("Search prompts")).to_have_value("lighthouse")

    page.set_viewport_size({"width": 1280, "height": 900})  # a desk shows them unfolded
    page.reload()
    expect(page.get_by_label("Search prompts")).to_be_visible()
