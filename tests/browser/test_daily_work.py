"""Daily work in a real browser, end to end against the sandbox and a real worker (issue 11)."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from jobs.models import Batch, ImageOrigin, Job, JobStatus
from jobs.quota import charged_for_job
from jobs.storage import store_image
from studio.library import add_to_library
from tests.fixtures.browser import (
    DALL_E_3,
    GPT_IMAGE,
    GPT_IMAGE_TASK,
    choose_chip,
    choose_model,
    generate_and_open_the_job,
    log_in,
    open_more_options,
)

pytestmark = [
    pytest.mark.long,
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def shown_credits(page) -> int:
    return int(page.locator("#estimate [data-credits]").get_attribute("data-credits"))


def wait_for_estimate(page, credits: int) -> None:
    page.locator(f'#estimate [data-credits="{credits}"]').wait_for()
    assert re.fullmatch(
        rf"Estimated cost: {credits} credits?", page.locator("#estimate").inner_text()
    )


def test_the_estimate_changes_with_the_size_and_the_ledger_charges_exactly_it(
    live_server, new_page, celery_worker, sandbox_models, alice
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/generate/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    page.get_by_label("Prompt").fill("a lantern on a jetty")
    page.get_by_label("Number of images").fill("2")
    wait_for_estimate(page, 2)
    choose_chip(page, "Size", "1536x1024")  # 1.5 credits an image, rounded up
    wait_for_estimate(page, 4)
    shown = shown_credits(page)
    generate_and_open_the_job(page)
    page.get_by_role("status").filter(has_text="Succeeded").wait_for(timeout=30_000)
    job = Job.objects.get()
    assert job.params["size"] == "1536x1024"
    assert charged_for_job(job) == (2, shown)


REUSED_CHIPS = {"Size": "1536x1024", "Quality": "low"}
REUSED = {
    "Background": "opaque",
    "Output format": "jpeg",
    "Moderation": "low",
}


def test_use_these_settings_round_trips_the_prompt_the_model_and_every_parameter(
    live_server, new_page, sandbox_models, alice
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/generate/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    page.get_by_label("Prompt").fill("a heron in the reeds, woodcut")
    page.get_by_label("Number of images").fill("3")
    for group, value in REUSED_CHIPS.items():
        choose_chip(page, group, value)
    open_more_options(page)
    for label, value in REUSED.items():
        page.get_by_label(label).select_option(value)
    page.get_by_label("Compression (%)").fill("60")
    generate_and_open_the_job(page)
    first = Job.objects.get()

    page.get_by_role("link", name="Use these settings").click()
    page.wait_for_url(re.compile(r"/generate/\?from_job="))
    assert page.get_by_label("Prompt").input_value() == "a heron in the reeds, woodcut"
    assert page.get_by_label("Model").input_value() == str(sandbox_models["gpt-image-1"].pk)
    assert page.get_by_label("Number of images").input_value() == "3"
    for group, value in REUSED_CHIPS.items():
        checked = page.get_by_role("group", name=group).locator("input:checked")
        assert checked.get_attribute("value") == value, group
    for label, value in REUSED.items():
        assert page.get_by_label(label).input_value() == value, label
    assert page.get_by_label("Compression (%)").input_value() == "60"
    generate_and_open_the_job(page)
    second = Job.objects.exclude(pk=first.pk).get()
    assert (second.prompt, second.model_id, second.n, second.team_id) == (
        first.prompt,
        first.model_id,
        first.n,
        first.team_id,
    )
    assert second.params == first.params
    assert set(first.params) == {
        "size",
        "quality",
        "background",
        "output_format",
        "moderation",
        "output_compression",
    }


def test_a_reference_picked_from_the_library_opens_edit_with_it_chosen_and_is_sent(
    live_server, new_page, celery_worker, sandbox_models, alice, design, png_bytes
):
    made = Job.objects.create(
        owner=alice, team=design, prompt="a lighthouse, ink", model_name="gpt-image-1",
        provider_name="sandbox", status="succeeded",
    )  # fmt: skip
    reference = store_image(
        png_bytes(128, 128), owner=alice, team=design, job=made, origin=ImageOrigin.GENERATED
    )
    add_to_library(design, [reference], added_by=alice)  # as the job's ending has it filed
    page = new_page()
    log_in(page, live_server.url, "alice", "/teams/design/library/")
    page.get_by_label("Select: a lighthouse, ink").check()
    page.get_by_role("button", name="Use as reference").click()
    page.wait_for_url(re.compile(r"/edit/\?"))
    chosen = page.get_by_role("list", name="Chosen images").get_by_role("img")
    expect(chosen).to_have_count(1)
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    page.get_by_label("Prompt").fill("the same lighthouse at night")
    page.get_by_role("button", name="Edit", exact=True).click()
    page.get_by_role("status").filter(has_text="Succeeded").wait_for(timeout=30_000)
    edit_job = Job.objects.get(kind="edit")
    assert list(edit_job.source_images.all()) == [reference]  # the stored image, not a copy
    assert edit_job.images.get().sources.get() == reference


DROP_FILE = """async ([selector, bytes]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(bytes)], "dropped.png", {type: "image/png"}));
  const zone = document.querySelector(selector);
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
}"""


def test_an_image_dropped_on_the_edit_page_is_uploaded_and_edited(
    live_server, new_page, celery_worker, sandbox_models, alice, png_bytes
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/edit/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    dropped = png_bytes(96, 96, (10, 120, 200))
    page.evaluate(DROP_FILE, ["[data-drop-zone]", list(dropped)])
    assert page.evaluate("document.querySelector('input[name=image]').files[0].name") == (
        "dropped.png"
    )
    page.locator("[data-edit-form][data-painter-ready]").wait_for(state="attached")
    page.get_by_label("Prompt").fill("the same square, in autumn colours")
    page.get_by_role("button", name="Edit", exact=True).click()
    page.get_by_role("status").filter(has_text="Succeeded").wait_for(timeout=30_000)
    upload = Job.objects.get().source_images.get()
    assert upload.origin == ImageOrigin.UPLOADED
    with default_storage.open(upload.file.name, "rb") as handle:
        assert handle.read() == dropped


def test_a_team_limited_to_one_model_offers_only_it_in_its_workspace(
    live_server, new_page, sandbox_models, alice, design
):
    design.allowed_models.set([sandbox_models["dall-e-3"]])
    page = new_page()
    log_in(page, live_server.url, "alice", "/generate/")
    options = page.get_by_label("Model").locator("option")
    assert options.count() == len(sandbox_models)
    page.get_by_label("Workspace").select_option(label="Design")
    expect(page.locator("#id_model option")).to_have_count(1)
    assert options.all_inner_texts() == [DALL_E_3]
    page.get_by_role("group", name="Quality").wait_for()  # dall-e-3's own fields came with it
    page.get_by_label("Prompt").fill("a team poster")
    generate_and_open_the_job(page)
    assert Job.objects.get().model == sandbox_models["dall-e-3"]
    page.goto(f"{live_server.url}/generate/")
    page.get_by_label("Workspace").select_option(label="Personal")
    expect(page.locator("#id_model option")).not_to_have_count(1)


def test_a_batch_of_three_prompts_fills_in_live_and_the_rest_can_be_canceled(
    live_server, new_page, celery_worker, sandbox_models, alice
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/generate/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE_TASK)
    page.get_by_label("Prompt").fill(
        "a kite over dunes\na kite over a lake\na kite in a storm [[never]]"
    )
    page.get_by_label("Batch (one job per line)").check()
    wait_for_estimate(page, 3)
    page.get_by_role("button", name="Generate").click()
    # The batch's cards come first in the studio page's feed; its own page follows them all.
    expect(page.locator("[data-job-id]")).to_have_count(3)
    page.goto(f"{live_server.url}/batches/{Batch.objects.get().pk}/")
    page.evaluate("window.__sameDocument = true")
    jobs = page.get_by_role("list", name="Jobs of the batch")
    for prompt in ("a kite over dunes", "a kite over a lake"):
        results = jobs.get_by_role("list", name=f"Results of: {prompt}").get_by_role("img")
        results.wait_for(timeout=30_000)
    assert page.evaluate("window.__sameDocument") is True  # the images came without a reload
    stuck = jobs.get_by_role("listitem").filter(has_text="a kite in a storm")
    assert stuck.locator("[data-job-status]").inner_text() in ("Queued", "Running")

    page.get_by_role("button", name="Cancel the rest").click()
    stuck.locator("[data-job-status]").filter(has_text="Canceled").wait_for()
    by_prompt = {job.prompt: job for job in Job.objects.all()}
    assert {prompt: job.status for prompt, job in by_prompt.items()} == {
        "a kite over dunes": JobStatus.SUCCEEDED,
        "a kite over a lake": JobStatus.SUCCEEDED,
        "a kite in a storm [[never]]": JobStatus.CANCELED,
    }
    assert charged_for_job(by_prompt["a kite in a storm [[never]]"]) == (0, 0)


def test_partial_previews_are_seen_before_the_final_image(
    live_server, new_page, celery_worker, sandbox_models, alice
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/generate/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    page.get_by_label("Prompt").fill("a kite over the sea at dawn")
    open_more_options(page)
    page.get_by_label("Partial previews").fill("3")
    wait_for_estimate(page, 1)  # partial previews cost nothing
    generate_and_open_the_job(page)
    preview = page.get_by_role("img", name=re.compile(r"^Partial preview \d"))
    preview.first.wait_for(timeout=30_000)
    assert page.get_by_role("status").inner_text() == "Running"
    assert page.get_by_role("list", name="Results").count() == 0
    page.get_by_role("status").filter(has_text="Succeeded").wait_for(timeout=30_000)
    assert preview.count() == 0
    expect(page.get_by_role("list", name="Results").get_by_role("img")).to_have_count(1)
    job = Job.objects.get()
    assert charged_for_job(job) == (1, 1)
    assert page.request.get(f"{live_server.url}/jobs/{job.pk}/partial/").status == 404


PASTE_FILE = """([bytes]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(bytes)], "pasted.png", {type: "image/png"}));
  document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true}));
}"""


def test_images_are_pasted_or_picked_from_history_on_the_edit_page(
    live_server, new_page, sandbox_models, alice, png_bytes
):
    made = Job.objects.create(
        owner=alice, prompt="a harbour crane", model_name="gpt-image-1", provider_name="sandbox",
        status="succeeded",
    )  # fmt: skip
    earlier = store_image(png_bytes(80, 80), owner=alice, job=made, origin=ImageOrigin.GENERATED)
    page = new_page()
    log_in(page, live_server.url, "alice", "/edit/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    page.evaluate(PASTE_FILE, [list(png_bytes(90, 90))])
    assert page.evaluate("document.querySelector('input[name=image]').files[0].name") == (
        "pasted.png"
    )
    page.get_by_role("button", name="pick from history or a library").click()
    page.get_by_role("button", name="Use: a harbour crane").click()
    # Picked and pasted images are thumbnails in one list, in the order they are sent: stored first.
    chosen = page.get_by_role("list", name="Chosen images").get_by_role("img")
    expect(chosen).to_have_count(2)
    expect(chosen.first).to_have_accessible_name("Chosen image 1")
    expect(chosen.nth(1)).to_have_accessible_name("Upload: pasted.png")
    assert page.locator('input[name="source"]').input_value() == str(earlier.pk)
    page.get_by_label("Prompt").fill("both pictures, side by side")
    page.get_by_role("button", name="Edit", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"), wait_until="commit")
    edit_job = Job.objects.get(kind="edit")
    sources = list(edit_job.source_images.order_by("created_at"))
    assert sources[0] == earlier  # picked: referenced, not uploaded again
    assert sources[1].origin == ImageOrigin.UPLOADED  # pasted: uploaded with the form


def test_results_generated_into_a_personal_collection_are_found_in_it(
    live_server, new_page, celery_worker, sandbox_models, alice
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/history/")
    page.get_by_role("link", name="My collections").click()
    page.get_by_label("Collection name").fill("Moodboard")
    page.get_by_role("button", name="Create collection").click()
    page.wait_for_url(re.compile(r"/collections/[0-9a-f-]+/$"))

    page.goto(f"{live_server.url}/generate/")
    choose_model(page.get_by_label("Model"), label=GPT_IMAGE)
    page.get_by_label("Collection", exact=True).select_option(label="Personal: Moodboard")
    page.get_by_label("Prompt").fill("a paper boat on a puddle")
    generate_and_open_the_job(page)
    page.get_by_role("status").filter(has_text="Succeeded").wait_for(timeout=30_000)

    page.get_by_role("link", name="History", exact=True).click()
    page.get_by_role("link", name="My collections").click()
    page.get_by_role("link", name="Moodboard").click()
    expect(page.get_by_role("img", name="a paper boat on a puddle")).to_have_count(1)
    job = Job.objects.get()
    assert job.collection.name == "Moodboard" and job.collection.owner == alice
