"""A person in a real browser: upload an image, paint a mask, edit it against the sandbox, watch the
result arrive, edit the result again, and walk the chain of edits back to the upload."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from playwright.sync_api import expect

from jobs.models import ImageOrigin, Job, JobStatus
from tests.fixtures.browser import choose_model, log_in, wait_for_htmx_quiet

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SIDE = 256
# The stroke painted in every test: a horizontal line across the middle of the picture.
STROKE_FROM, STROKE_TO = (0.25, 0.5), (0.75, 0.5)

READ_MASK_INPUT = """async () => {
  const file = document.querySelector('input[name="mask"]').files[0];
  if (!file) return null;
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0);
  const alphaAt = (fx, fy) => context.getImageData(
    Math.floor(fx * bitmap.width), Math.floor(fy * bitmap.height), 1, 1).data[3];
  return {
    name: file.name, type: file.type, width: bitmap.width, height: bitmap.height,
    painted: alphaAt(0.5, 0.5), corner: alphaAt(0.02, 0.02),
    signature: Array.from(new Uint8Array(await file.slice(0, 4).arrayBuffer())),
  };
}"""


def picture_file(tmp_path) -> str:
    """A square PNG with something to look at: a gradient."""
    image = PILImage.linear_gradient("L").resize((SIDE, SIDE)).convert("RGB")
    path = tmp_path / "harbour.png"
    image.save(path, "PNG")
    return str(path)


def paint_stroke(page) -> None:
    # The chosen model's fields arrive by htmx: a swap landing mid-stroke would move the painting
    # area under the pointer, so paint once htmx is quiet and the picture is in place.
    wait_for_htmx_quiet(page)
    page.locator("[data-edit-form][data-painter-ready]").wait_for(state="attached")
    box = page.get_by_role("img", name="Painting area").bounding_box()

    def at(point):
        return box["x"] + point[0] * box["width"], box["y"] + point[1] * box["height"]

    page.mouse.move(*at(STROKE_FROM))
    page.mouse.down()
    page.mouse.move(*at(STROKE_TO), steps=12)
    page.mouse.up()
    expect(page.locator("[data-edit-form]")).to_have_attribute("data-mask-painted", "true")


def submit_and_wait_for_the_result(page) -> str:
    page.get_by_role("button", name="Edit", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    page.evaluate("window.__sameDocument = true")  # survives only if the page is never reloaded
    page.get_by_role("status").filter(has_text="Succeeded").wait_for(timeout=45_000)
    assert page.evaluate("window.__sameDocument") is True
    result = page.get_by_role("list", name="Results").get_by_role("img")
    expect(result).to_have_count(1)
    # The image loads after the status says Succeeded (the push makes that moment come quickly).
    expect(page.locator(".results img").first).not_to_have_js_property("naturalWidth", 0)
    return page.url


def test_upload_paint_edit_and_walk_the_chain_back_to_the_upload(
    live_server, new_page, celery_worker, sandbox_models, alice, tmp_path
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/edit/")
    choose_model(page.get_by_label("Model"), value=str(sandbox_models["dall-e-2"].pk))
    page.get_by_label("Image", exact=True).set_input_files(picture_file(tmp_path))
    paint_stroke(page)

    mask = page.evaluate(READ_MASK_INPUT)
    assert mask["signature"] == [0x89, 0x50, 0x4E, 0x47]  # a PNG
    assert (mask["name"], mask["type"], mask["width"], mask["height"]) == (
        "mask.png",
        "image/png",
        SIDE,
        SIDE,
    )
    assert (mask["painted"], mask["corner"]) == (0, 255)  # painted = transparent = to change

    page.get_by_label("Prompt").fill("a red lighthouse on the horizon")
    first_job_url = submit_and_wait_for_the_result(page)
    first_job = Job.objects.get(pk=first_job_url.rstrip("/").rsplit("/", 1)[-1])
    with default_storage.open(first_job.mask.name, "rb") as handle, PILImage.open(handle) as sent:
        assert sent.size == (SIDE, SIDE)
        assert sent.getchannel("A").getpixel((SIDE // 2, SIDE // 2)) == 0
    [upload] = first_job.source_images.all()
    assert upload.origin == ImageOrigin.UPLOADED

    # "Edit" on the result (in the lightbox it opens in) opens the form with it chosen: no
    # upload; paint, edit with gpt-image-1.
    page.get_by_role("list", name="Results").get_by_role("link").first.click()
    lightbox = page.get_by_role("dialog", name="Image viewer")
    first_result_url = live_server.url + lightbox.get_by_role(
        "link", name="Image page"
    ).get_attribute("href")
    lightbox.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url(re.compile(r"/edit/\?image="))
    expect(page.get_by_role("list", name="Chosen images").get_by_role("img")).to_have_count(1)
    choose_model(page.get_by_label("Model"), value=str(sandbox_models["gpt-image-1"].pk))
    paint_stroke(page)
    page.get_by_label("Prompt").fill("now at night")
    submit_and_wait_for_the_result(page)
    second_job = Job.objects.exclude(pk=first_job.pk).get()
    assert (second_job.status, second_job.model_name) == (JobStatus.SUCCEEDED, "gpt-image-1")
    assert [image.pk for image in second_job.source_images.all()] == [first_job.images.get().pk]

    # Walk back: second result -> first result -> the upload, each by its "Made from" link.
    page.get_by_role("list", name="Results").get_by_role("link").first.click()
    lightbox.get_by_role("link", name="Image page").click()
    page.get_by_role("list", name="Made from").get_by_role("link").first.click()
    page.wait_for_url(first_result_url)
    page.get_by_role("list", name="Made from").get_by_role("link").first.click()
    page.wait_for_url(f"{live_server.url}/images/{upload.pk}/")
    assert page.get_by_role("heading", name="Uploaded image").is_visible()
    # ...and forward again from the upload to the edit made from it.
    page.get_by_role("list", name="Edits made from this image").get_by_role("link").first.click()
    page.wait_for_url(first_result_url)
