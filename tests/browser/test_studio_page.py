"""The studio page in a real browser: submit without leaving the page, cards that follow their
jobs by push, remembered settings, the budget, paging, and the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jobs.models import Job, QuotaLimit
from studio.dock import FEED_PAGE_SIZE
from tests.fixtures.browser import (
    GPT_IMAGE,
    GROK,
    choose_model,
    log_in,
    wait_for_htmx_quiet,
    wait_for_page_to_settle,
)
from tests.fixtures.polling import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def card_of(page, job: Job):
    return page.locator(f'[data-job-id="{job.pk}"]')


@pytest.mark.worker
def test_ctrl_enter_puts_the_card_first_and_it_fills_in_by_push_without_a_reload(
    live_server, new_page, celery_worker, sandbox_models, alice, submit
):
    older = submit("an older job [[never]]")
    page = new_page()
    log_in(page, live_server.url, "alice", "/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    expect(page.get_by_label("Prompt")).to_be_focused()  # autofocus, also after the swap
    page.get_by_label("Prompt").fill("a paper boat on a quiet canal [[delay:1.5]]")
    page.get_by_label("Number of images").fill("2")
    page.get_by_label("Prompt").focus()
    page.evaluate("window.__sameDocument = true")  # survives only if the page is never reloaded
    url = page.url
    page.keyboard.press("Control+Enter")

    cards = page.locator("[data-job-id]")
    expect(cards).to_have_count(2)
    job = Job.objects.exclude(pk=older.pk).get()
    expect(cards.first).to_have_attribute("data-job-id", str(job.pk))
    expect(cards.first.get_by_role("link", name="Job page")).to_have_attribute(
        "href", f"/jobs/{job.pk}/"
    )
    expect(cards.first).to_contain_text("a paper boat on a quiet canal")
    expect(cards.first.locator(".badge")).to_have_text("Succeeded", timeout=30_000)
    results = cards.first.get_by_role("list", name="Results").get_by_role("img")
    expect(results).to_have_count(2)
    expect(results.first).to_have_accessible_name(
        "Result 1: a paper boat on a quiet canal [[delay:1.5]]"
    )
    expect(cards.first).to_contain_text("2 credits")
    assert page.url == url and page.evaluate("window.__sameDocument") is True


def test_model_and_workspace_are_remembered_after_a_reload(
    live_server, new_page, sandbox_models, alice, design
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/")
    page.get_by_label("Workspace").select_option(label="Design")
    wait_for_htmx_quiet(page)
    choose_model(page.get_by_label("Model"), label=GROK)
    page.get_by_role("group", name="Quality").get_by_label("High").check()
    page.get_by_label("Prompt").fill("a team poster [[never]]")
    page.get_by_label("Prompt").press("Control+Enter")
    expect(page.locator("[data-job-id]")).to_have_count(1)

    page.reload()
    expect(page.get_by_label("Workspace")).to_have_value("design")
    expect(page.get_by_label("Model")).to_have_value(str(sandbox_models["grok-3-image"].pk))
    expect(page.get_by_role("group", name="Quality").locator("input:checked")).to_have_value("high")
    expect(page.locator("[data-job-id]")).to_have_count(1)  # the feed of that workspace


def test_a_canceled_jobs_card_says_it_was_refunded(live_server, new_page, alice, submit):
    # An asynchronous model: even a worker of another test leaves it running, never done.
    job = submit("a job I no longer want [[never]]", model="gpt-image-1.5", n=2)
    page = new_page()
    log_in(page, live_server.url, "alice", "/")
    card_of(page, job).get_by_role("button", name="Cancel").click()
    expect(card_of(page, job).locator(".badge")).to_have_text("Canceled")
    expect(card_of(page, job)).to_contain_text("2 credits refunded")
    expect(card_of(page, job).get_by_role("button", name="Retry")).to_be_visible()


def test_generate_is_disabled_with_the_reason_when_the_estimate_exceeds_the_quota(
    live_server, new_page, sandbox_models, alice
):
    QuotaLimit.objects.create(scope=QuotaLimit.Scope.USER, user=alice, images_per_day=2)
    page = new_page()
    log_in(page, live_server.url, "alice", "/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    expect(page.get_by_text("You: 2 of 2 images left today")).to_be_visible()
    page.get_by_label("Prompt").fill("three owls")
    page.get_by_label("Number of images").fill("3")
    generate = page.get_by_role("button", name="Generate", exact=True)
    expect(generate).to_be_disabled()
    expect(generate).to_have_accessible_description(
        "You have 2 of 2 images left today; this request needs 3."
    )
    page.get_by_label("Prompt").press("Control+Enter")  # nothing is sent
    page.get_by_label("Number of images").fill("2")
    expect(generate).to_be_enabled()
    assert not Job.objects.exists()


def test_the_feed_loads_older_jobs_as_it_scrolls(live_server, new_page, alice, submit):
    jobs = [submit(f"job number {number} [[never]]") for number in range(FEED_PAGE_SIZE + 3)]
    page = new_page()
    log_in(page, live_server.url, "alice", "/")
    cards = page.locator("[data-job-id]")
    expect(cards).to_have_count(FEED_PAGE_SIZE)
    # htmx watches for the sentinel's reveal once it has processed the page (its script is
    # deferred) and the cards above it have their height: scrolling before that reveals nothing.
    wait_for_page_to_settle(page)
    page.get_by_role("link", name="Older jobs").scroll_into_view_if_needed()
    expect(cards).to_have_count(FEED_PAGE_SIZE + 3)
    expect(cards.last).to_have_attribute("data-job-id", str(jobs[0].pk))
    expect(page.get_by_role("link", name="Older jobs")).to_have_count(0)


def test_the_keyboard_alone_reaches_the_prompt_first_and_every_dock_action(
    live_server, new_page, sandbox_models, alice
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    skip = page.get_by_role("link", name="Skip to content")
    first_stop = "document.querySelector('a[href], button, input, select, textarea, [tabindex]')"
    assert page.evaluate(f"{first_stop}.textContent") == "Skip to content"  # first in the page
    # The Tab stop right after the skip link is the prompt (the header follows main in the source).
    skip.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Prompt")).to_be_focused()
    # Following the skip link lands there too.
    skip.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Prompt")).to_be_focused()

    page.keyboard.type("a heron in the reeds")
    reached = []
    for _step in range(30):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "document.activeElement.name || document.activeElement.textContent.trim()"
            )
        )
        if reached[-1] == "Generate":
            break
    for control in ("image", "Pick from History or a library", "model", "size", "n", "batch"):
        assert control in reached, (control, reached)
    assert reached[-1] == "Generate"
    # Chips move with the arrow keys, as radio buttons do; Enter on Generate submits.
    page.get_by_role("group", name="Size").locator("input:checked").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("group", name="Size").locator("input:checked")).not_to_have_value("")
    page.get_by_text("More options").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Background")).to_be_visible()
    page.get_by_role("button", name="Generate", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-job-id]")).to_have_count(1)


@pytest.mark.worker
def test_a_reference_picked_from_history_makes_the_job_an_edit(
    live_server, new_page, celery_worker, sandbox_models, alice, submit
):
    from jobs import engine

    made = submit("a red square")
    engine.run_job(made.pk)  # or the worker does, first: either way, wait for its image
    wait_until(lambda: made.images.exists(), 30, message="the first job's image")
    reference = made.images.get()
    page = new_page()
    log_in(page, live_server.url, "alice", "/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    page.get_by_role("button", name="Pick from History or a library").click()
    page.get_by_role("button", name="Use: a red square").first.click()
    references = page.get_by_role("list", name="Reference images")
    expect(references.get_by_role("img")).to_have_count(1)
    references.get_by_role("button").click()  # removed, then picked again
    expect(references).to_be_hidden()
    page.get_by_role("button", name="Use: a red square").first.click()
    page.get_by_label("Prompt").fill("the same square, in blue")
    page.get_by_label("Prompt").press("Control+Enter")
    card = page.locator("[data-job-id]").first
    expect(card).to_contain_text("the same square, in blue")
    job = Job.objects.exclude(pk=made.pk).get()
    assert job.kind == "edit" and list(job.source_images.all()) == [reference]
    expect(card.locator(".badge")).to_have_text("Succeeded", timeout=30_000)


# A live card is replaced whole (htmx, outerHTML) whenever its job changes, and every second while
# the page polls. A press and release that straddled such a swap used to click nothing, and a
# focused control lost the focus.
REFRESH_THE_CARD = """(jobId) => {
    const card = document.querySelector(`[data-live-job="${jobId}"]`);
    htmx.trigger(card, "job-changed");
}"""


@pytest.fixture
def running_card(live_server, new_page, alice, submit):
    """The studio page with one running job's live card: `(page, job)`."""
    job = submit("a job that keeps running [[never]]", model="gpt-image-1.5")
    page = new_page()
    log_in(page, live_server.url, "alice", "/")
    wait_for_page_to_settle(page)
    return page, job


def refresh_the_card(page, job: Job) -> None:
    """Re-read the card as a push event would, and wait until htmx is done with the answer."""
    with page.expect_response(lambda response: "/card/" in response.url):
        page.evaluate(REFRESH_THE_CARD, str(job.pk))
    wait_for_htmx_quiet(page)


def test_a_click_on_a_live_card_lands_even_when_the_card_refreshes_mid_click(running_card):
    page, job = running_card
    card_of(page, job).get_by_role("link", name="Job page").hover()  # the pointer on the link
    page.mouse.down()
    refresh_the_card(page, job)
    page.mouse.up()
    page.wait_for_url(f"**/jobs/{job.pk}/")


def test_a_focused_control_on_a_live_card_keeps_the_focus_when_the_card_refreshes(running_card):
    page, job = running_card
    card_of(page, job).get_by_role("button", name="Cancel").focus()
    refresh_the_card(page, job)
    expect(card_of(page, job).get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(card_of(page, job).locator(".badge")).to_have_text("Canceled")
