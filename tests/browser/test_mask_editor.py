"""The mask editor in a real browser: undo, redo, invert and brush-size keys change what is painted
and the mask that is sent; the mask that reaches the provider is the one shown; the page fits a
phone and passes axe."""

from __future__ import annotations

import pytest
from PIL import Image as PILImage
from playwright.sync_api import expect

from tests.browser.test_edit import (
    SIDE,
    paint_stroke,
    picture_file,
    submit_and_wait_for_the_result,
)
from tests.fixtures.axe import assert_no_serious_violations
from tests.fixtures.browser import choose_model, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The mask in the "Mask" input, what the overlay shows at the same points, and the file's SHA-256.
READ_MASK_AND_OVERLAY = """async () => {
  const file = document.querySelector('input[name="mask"]').files[0];
  const overlay = document.querySelector('[data-mask-canvas]').getContext('2d');
  const points = [[0.5, 0.5], [0.02, 0.02], [0.3, 0.5], [0.5, 0.9]];
  const shown = points.map(([fx, fy]) => overlay.getImageData(
    Math.floor(fx * overlay.canvas.width), Math.floor(fy * overlay.canvas.height), 1, 1).data[3]);
  if (!file) return {shown, mask: null, sha256: null};
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  const mask = points.map(([fx, fy]) => context.getImageData(
    Math.floor(fx * bitmap.width), Math.floor(fy * bitmap.height), 1, 1).data[3]);
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  const hex = (b) => b.toString(16).padStart(2, '0');
  const sha256 = Array.from(new Uint8Array(digest), hex).join('');
  return {shown, mask, sha256};
}"""


def open_editor_with_a_picture(page, live_server, model, tmp_path) -> None:
    log_in(page, live_server.url, "alice", "/edit/")
    choose_model(page.get_by_label("Model"), value=str(model.pk))
    page.get_by_label("Image", exact=True).set_input_files(picture_file(tmp_path))
    expect(page.locator("[data-edit-form][data-painter-ready]")).to_have_count(1)


def read_mask(page) -> dict:
    return page.evaluate(READ_MASK_AND_OVERLAY)


def assert_mask_matches_overlay(state: dict) -> None:
    """Painted on screen (overlay alpha > 0) exactly where the mask is transparent."""
    assert [alpha > 0 for alpha in state["shown"]] == [alpha == 0 for alpha in state["mask"]]


@pytest.mark.worker
def test_paint_undo_redo_and_submit_sends_the_mask_shown(
    live_server, new_page, celery_worker, sandbox, sandbox_models, alice, tmp_path
):
    page = new_page()
    open_editor_with_a_picture(page, live_server, sandbox_models["gpt-image-1"], tmp_path)
    form = page.locator("[data-edit-form]")
    undo = page.get_by_role("button", name="Undo")
    redo = page.get_by_role("button", name="Redo")
    expect(undo).to_be_disabled()

    paint_stroke(page)
    painted = read_mask(page)
    assert painted["shown"][0] > 0 and painted["shown"][1] == 0
    assert_mask_matches_overlay(painted)

    page.keyboard.press("Control+z")
    expect(form).to_have_attribute("data-mask-painted", "false")
    assert read_mask(page)["shown"] == [0, 0, 0, 0]
    expect(redo).to_be_enabled()
    page.keyboard.press("Control+Shift+z")
    expect(form).to_have_attribute("data-mask-painted", "true")
    undo.click()
    expect(form).to_have_attribute("data-mask-painted", "false")
    redo.click()
    expect(form).to_have_attribute("data-mask-painted", "true")
    expect(redo).to_be_disabled()
    again = read_mask(page)
    assert again["shown"] == painted["shown"]
    assert_mask_matches_overlay(again)

    page.get_by_label("Prompt").fill("a red lighthouse on the horizon")
    submit_and_wait_for_the_result(page)
    sent = [
        upload
        for request in sandbox.requests()
        for upload in request["files"]
        if upload["field"] == "mask"
    ]
    assert [upload["sha256"] for upload in sent] == [again["sha256"]]


def test_invert_swaps_painted_and_unpainted(live_server, new_page, sandbox_models, alice, tmp_path):
    page = new_page()
    open_editor_with_a_picture(page, live_server, sandbox_models["gpt-image-1"], tmp_path)
    paint_stroke(page)
    before = read_mask(page)
    assert before["mask"][:2] == [0, 255]  # the stroke is to change, the corner stays

    page.get_by_role("button", name="Invert").click()
    after = read_mask(page)
    assert after["mask"][:2] == [255, 0]
    assert_mask_matches_overlay(after)
    page.keyboard.press("Control+z")
    assert read_mask(page)["mask"] == before["mask"]


def test_brackets_change_the_brush_size_and_its_preview(
    live_server, new_page, sandbox_models, alice, tmp_path
):
    page = new_page()
    open_editor_with_a_picture(page, live_server, sandbox_models["gpt-image-1"], tmp_path)
    size = page.get_by_label("Brush size")
    start = int(size.input_value())
    page.get_by_role("heading", name="Edit").click()  # the keys belong to the page, not a field
    page.keyboard.press("]")
    bigger = int(size.input_value())
    assert bigger > start
    page.keyboard.press("[")
    page.keyboard.press("[")
    assert int(size.input_value()) < start

    canvas = page.get_by_role("img", name="Painting area")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    cursor = page.locator("[data-brush-cursor]")
    expect(cursor).to_be_visible()
    assert cursor.bounding_box()["width"] == pytest.approx(int(size.input_value()), abs=1)
    # Typing a bracket into the prompt is typing, not a brush change.
    before = size.input_value()
    page.get_by_label("Prompt").press("]")
    assert size.input_value() == before


def test_zoom_in_paints_where_the_pointer_is_and_fit_returns(
    live_server, new_page, sandbox_models, alice, tmp_path
):
    page = new_page()
    open_editor_with_a_picture(page, live_server, sandbox_models["gpt-image-1"], tmp_path)
    canvas = page.get_by_role("img", name="Painting area")
    fitted = canvas.bounding_box()
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator("[data-zoom-level]")).to_have_text("150%")
    zoomed = canvas.bounding_box()
    assert zoomed["width"] == pytest.approx(fitted["width"] * 1.5, abs=2)

    # The picture's centre stays under the viewport's centre: a dot there is the mask's centre.
    viewport = page.locator("[data-mask-viewport]").bounding_box()
    page.mouse.click(viewport["x"] + viewport["width"] / 2, viewport["y"] + viewport["height"] / 2)
    expect(page.locator("[data-edit-form]")).to_have_attribute("data-mask-painted", "true")
    state = read_mask(page)
    assert state["mask"][:2] == [0, 255]
    assert_mask_matches_overlay(state)

    page.get_by_role("button", name="Fit").click()
    expect(page.locator("[data-zoom-level]")).to_have_text("100%")
    assert canvas.bounding_box() == pytest.approx(fitted, abs=1)


def test_uploads_are_thumbnails_to_reorder_and_remove_with_the_mask_mark_on_the_first(
    live_server, new_page, sandbox_models, alice, tmp_path
):
    page = new_page()
    log_in(page, live_server.url, "alice", "/edit/")
    choose_model(page.get_by_label("Model"), value=str(sandbox_models["gpt-image-1"].pk))
    pier = tmp_path / "pier.png"
    PILImage.new("RGB", (128, 256), "navy").save(pier, "PNG")
    page.get_by_label("Image", exact=True).set_input_files([picture_file(tmp_path), str(pier)])
    items = page.get_by_role("list", name="Chosen images").get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.first.get_by_role("img")).to_have_accessible_name("Upload: harbour.png")
    expect(items.first).to_contain_text("Mask applies to this image")
    expect(items.nth(1)).not_to_contain_text("Mask applies")

    page.get_by_role("button", name="Move pier.png earlier").click()
    expect(items.first.get_by_role("img")).to_have_accessible_name("Upload: pier.png")
    expect(items.first).to_contain_text("Mask applies to this image")
    files = "Array.from(document.querySelector('input[name=image]').files, (f) => f.name)"
    assert page.evaluate(files) == ["pier.png", "harbour.png"]
    # The painter follows the first image: the mask is painted over the pier now.
    expect(page.locator("[data-mask-canvas]")).to_have_js_property("width", 128)

    # dall-e-2 takes one square image: both rules are said before Edit is pressed.
    choose_model(page.get_by_label("Model"), value=str(sandbox_models["dall-e-2"].pk))
    warning = page.locator("[data-input-warning]")
    expect(warning).to_contain_text("at most 1 image")
    expect(warning).to_contain_text("Image 1 is 128×256")
    page.get_by_role("button", name="Remove pier.png").click()
    expect(items).to_have_count(1)
    assert page.evaluate(files) == ["harbour.png"]
    expect(warning).to_be_hidden()
    expect(page.locator("[data-mask-canvas]")).to_have_js_property("width", SIDE)


def test_the_page_fits_a_phone_with_the_edit_button_in_view_and_passes_axe(
    live_server, new_page, sandbox_models, alice, tmp_path
):
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    open_editor_with_a_picture(page, live_server, sandbox_models["dall-e-2"], tmp_path)
    expect(page.get_by_text("Each image must be square")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("button", name="Edit", exact=True)).to_be_in_viewport()
    canvas = page.get_by_role("img", name="Painting area").bounding_box()
    assert canvas["width"] <= 390 and canvas["width"] == pytest.approx(canvas["height"], abs=1)
    assert_no_serious_violations(page)
    page.set_viewport_size({"width": 1440, "height": 900})  # side by side: the canvas left
    canvas = page.get_by_role("img", name="Painting area").bounding_box()
    prompt = page.get_by_label("Prompt").bounding_box()
    assert canvas["x"] + canvas["width"] < prompt["x"]
    expect(page.get_by_role("button", name="Edit", exact=True)).to_be_in_viewport()
    assert_no_serious_violations(page)
