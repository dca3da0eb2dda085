"""A person in a real browser: log in, generate, watch the image arrive, find it in history."""

import re

import pytest
from playwright.sync_api import expect

from jobs.models import Job
from studio.models import Collection
from tests.fixtures.browser import (
    DALL_E_3,
    GPT_IMAGE,
    GROK,
    choose_model,
    generate_and_open_the_job,
    log_in,
    log_in_with_the_form,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_generate_watch_the_image_arrive_and_find_it_in_history(
    live_server, new_page, celery_worker, sandbox_models, alice, bob
):
    page = new_page()
    log_in_with_the_form(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/generate/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    page.get_by_label("Prompt").fill("a paper boat on a quiet canal [[delay:1.5]]")
    page.get_by_label("Number of images").fill("2")
    generate_and_open_the_job(page)
    job_url = page.url
    page.evaluate("window.__sameDocument = true")  # survives only if the page is never reloaded
    status = page.get_by_role("status")
    assert status.inner_text() in ("Queued", "Running")
    page.get_by_role("status").filter(has_text="Succeeded").wait_for(timeout=30_000)
    results = page.get_by_role("list", name="Results").get_by_role("img")
    expect(results).to_have_count(2)
    assert page.evaluate("window.__sameDocument") is True
    # The image loads after the status says Succeeded (the push makes that moment come quickly).
    expect(page.locator(".results img").first).not_to_have_js_property("naturalWidth", 0)

    page.goto(f"{live_server.url}/history/")
    thumbnails = page.locator(".thumbs img")
    expect(thumbnails).to_have_count(2)
    thumbnails.first.click()  # opens the lightbox, which links to the image's page
    page.get_by_role("dialog", name="Image viewer").get_by_role("link", name="Image page").click()
    page.wait_for_url(re.compile(r"/images/[0-9a-f-]+/$"), wait_until="commit")
    assert "a paper boat on a quiet canal" in page.content()
    image_url = page.url

    stranger = new_page()
    log_in(stranger, live_server.url, "bob", path=None)
    job = Job.objects.get()
    image = job.images.first()
    for url in (job_url, image_url, f"{live_server.url}/images/{image.pk}/file/"):
        assert stranger.goto(url).status == 404


def test_the_model_choice_shows_only_the_fields_that_model_supports(
    live_server, new_page, sandbox_models, alice
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/generate/")
    choose_model(page.get_by_label("Model"), label=DALL_E_3)
    page.get_by_role("group", name="Quality").wait_for()
    assert page.get_by_label("Number of images").count() == 0  # dall-e-3 makes one image
    choose_model(page.get_by_label("Model"), label=GROK)
    page.get_by_role("group", name="Aspect ratio").wait_for()
    assert page.get_by_label("Number of images").count() == 1


def test_a_collection_chosen_while_the_models_fields_load_is_kept(
    live_server, new_page, sandbox_models, alice
):
    """The model's fields come back by htmx; a person who picks a collection meanwhile keeps it
    (the answer replaces only the model's fields, not the block the collection is in)."""
    moodboard = Collection.objects.create(owner=alice, name="Moodboard")
    page = new_page()
    log_in(page, live_server.url, "alice", "/generate/")
    held = []  # the fields request, held back until the collection is chosen
    page.route("**/generate/fields/**", lambda route: held.append(route))
    page.get_by_label("Model").select_option(label=GROK)
    while not held:
        page.wait_for_timeout(20)
    page.get_by_label("Collection", exact=True).select_option(label="Personal: Moodboard")
    with page.expect_response(lambda response: "/generate/fields/" in response.url):
        held[0].continue_()
    page.get_by_role("group", name="Aspect ratio").wait_for()  # grok's own fields arrived
    expect(page.get_by_label("Collection", exact=True)).to_have_value(str(moodboard.pk))
