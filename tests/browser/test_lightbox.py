"""In a real browser: the lightbox on a job's results and on History opens full size, moves with
the arrow keys, closes with Esc, copies the prompt, stars the image, compares an edit with its
source, and every action in it is reachable with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jobs.models import ImageOrigin, JobKind
from jobs.storage import store_image
from studio.models import Favourite
from tests.fixtures.browser import log_in
from tests.fixtures.images import png
from tests.world import make_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROMPT = "Three paper boats on a still pond, morning light"
COLOURS = [(200, 40, 40), (40, 160, 60), (40, 80, 200)]


@pytest.fixture
def made(world):
    """A finished job of three images by the editor, and an edit of its first image."""
    job = make_job(world.editor, prompt=PROMPT, status="succeeded", n=3)
    results = [
        store_image(
            png(96, 64, colour), owner=world.editor, origin=ImageOrigin.GENERATED, job=job, index=i
        )
        for i, colour in enumerate(COLOURS)
    ]
    edit_job = make_job(
        world.editor, prompt="the same boats at night", kind=JobKind.EDIT, status="succeeded"
    )
    edited = store_image(
        png(96, 64, (10, 10, 40)),
        owner=world.editor,
        origin=ImageOrigin.EDITED,
        job=edit_job,
        sources=[results[0]],
    )
    return {"job": job, "results": results, "edited": edited}


def viewer(page):
    return page.get_by_role("dialog", name="Image viewer")


def open_lightbox(link) -> None:
    """Click an image; the viewer has the focus (and its keys work) once it has opened."""
    link.click()
    expect(viewer(link.page)).to_be_focused()


def shown_image(page):
    """The full-size picture of the slide on screen (not its neighbours, not the placeholder)."""
    return page.locator(
        '.pswp__item[aria-hidden="false"] img.pswp__img:not(.pswp__img--placeholder)'
    )


def expect_showing(page, image, position: str) -> None:
    expect(page.locator(".pswp__counter")).to_have_text(position)
    expect(shown_image(page)).to_have_attribute("src", f"/images/{image.pk}/file/")
    expect(viewer(page).get_by_role("link", name="Image page")).to_have_attribute(
        "href", f"/images/{image.pk}/"
    )


def in_grid_order(links, images) -> list:
    by_url = {f"/images/{image.pk}/": image for image in images}
    return [by_url[link.get_attribute("href")] for link in links.all()]


def test_on_a_job_page_it_opens_full_size_moves_with_arrows_and_closes_with_esc(
    new_page, live_server, world, made
):
    page = new_page()
    log_in(page, live_server.url, world.editor.username, f"/jobs/{made['job'].pk}/")
    links = page.get_by_role("list", name="Results").get_by_role("link")
    # The lightbox follows the grid's order, whatever the grid's order is.
    first, second, third = in_grid_order(links, made["results"])

    open_lightbox(links.first)

    expect(viewer(page)).to_be_visible()
    expect_showing(page, first, "1 / 3")
    assert shown_image(page).evaluate("img => img.naturalWidth") == 96  # the original, full size
    page.keyboard.press("ArrowRight")
    expect_showing(page, second, "2 / 3")
    page.keyboard.press("ArrowRight")
    expect_showing(page, third, "3 / 3")
    page.keyboard.press("ArrowLeft")
    expect_showing(page, second, "2 / 3")
    expect(viewer(page).get_by_role("link", name="Use these settings")).to_have_attribute(
        "href", f"/generate/?from_job={made['job'].pk}"
    )
    page.keyboard.press("Escape")
    expect(viewer(page)).to_have_count(0)
    assert page.url.endswith(f"/jobs/{made['job'].pk}/")  # the link was not followed


def test_on_history_it_copies_the_prompt_and_stars_the_image(new_page, live_server, world, made):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    third = made["results"][2]
    log_in(page, live_server.url, world.editor.username, "/history/")

    # History is newest first: the edit, then the three results last to first.
    open_lightbox(page.get_by_role("link", name=PROMPT).first)
    expect_showing(page, third, "2 / 4")

    viewer(page).get_by_role("button", name="Copy prompt").click()
    expect(viewer(page).get_by_role("status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == PROMPT

    star = viewer(page).get_by_role("button", name="Favourite")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.click()
    expect(viewer(page).get_by_role("button", name="Favourite")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert Favourite.objects.filter(user=world.editor, image=third).exists()
    # The grid behind says the same once the lightbox is closed.
    page.keyboard.press("Escape")
    expect(viewer(page)).to_have_count(0)
    tile = page.locator("li.tile").nth(1)
    expect(tile.get_by_role("button", name="Favourite")).to_have_attribute("aria-pressed", "true")


def test_an_edit_shows_a_before_after_slider_against_its_source(new_page, live_server, world, made):
    page = new_page()
    edited, source = made["edited"], made["results"][0]
    log_in(page, live_server.url, world.editor.username, "/history/")

    open_lightbox(page.get_by_role("link", name="the same boats at night"))
    expect_showing(page, edited, "1 / 4")

    slider = viewer(page).get_by_label("Before / after")
    expect(slider).to_have_value("50")
    before = page.locator(".lightbox-before img")
    expect(before).to_have_attribute("src", f"/images/{source.pk}/file/")
    clip = page.locator(".lightbox-before")
    expect(clip).to_have_css("clip-path", "inset(0px 50% 0px 0px)")

    # The slider's own arrow keys move the line, not to the next image.
    slider.focus()
    page.keyboard.press("ArrowLeft")
    expect(slider).to_have_value("49")
    expect(clip).to_have_css("clip-path", "inset(0px 51% 0px 0px)")
    expect(page.locator(".pswp__counter")).to_have_text("1 / 4")

    # The next image is not an edit: no slider, no source over it.
    page.keyboard.press("Escape")
    open_lightbox(page.get_by_role("link", name=PROMPT).first)
    expect(viewer(page).get_by_role("button", name="Copy prompt")).to_be_visible()
    expect(viewer(page).get_by_label("Before / after")).to_have_count(0)
    expect(page.locator(".lightbox-before")).to_have_count(0)


def test_every_action_is_reachable_with_the_keyboard(new_page, live_server, world, made):
    page = new_page()
    log_in(page, live_server.url, world.editor.username, "/history/")

    page.get_by_role("link", name="the same boats at night").focus()
    page.keyboard.press("Enter")
    expect(viewer(page)).to_be_focused()
    expect(viewer(page).get_by_label("Before / after")).to_be_visible()

    reached = []
    for _ in range(30):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "() => { const el = document.activeElement;"
                " if (!document.querySelector('.pswp').contains(el)) return 'outside';"
                " return el.getAttribute('aria-label') || el.labels?.[0]?.textContent"
                " || el.textContent.trim(); }"
            )
        )
    expected = {
        "Close (Esc)",
        "Previous (←)",
        "Next (→)",
        "Copy prompt",
        "Favourite",
        "Download original",
        "Edit",
        "Use as reference",
        "Use these settings",
        "Image page",
        "Before / after",
    }
    assert expected <= set(reached), expected - set(reached)
    assert "outside" not in reached, reached
    # Tab goes round inside the lightbox: focus never left it, and Esc closes it from there.
    assert page.evaluate("document.querySelector('.pswp').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(viewer(page)).to_have_count(0)


def test_a_grid_that_arrives_later_opens_the_lightbox_too(new_page, live_server, world, made):
    """The job page swaps its results in when the job ends: clicks are caught from the document."""
    page = new_page()
    log_in(page, live_server.url, world.editor.username, f"/jobs/{made['job'].pk}/")
    # What htmx does when a job finishes: the status part, results included, is replaced.
    page.evaluate(
        "() => { const part = document.getElementById('job-status');"
        " part.outerHTML = part.outerHTML; }"
    )
    links = page.get_by_role("list", name="Results").get_by_role("link")
    third = in_grid_order(links, made["results"])[2]
    open_lightbox(links.nth(2))
    expect_showing(page, third, "3 / 3")
    expect(viewer(page).get_by_role("link", name="Use as reference")).to_have_attribute(
        "href", f"/generate/?image={third.pk}"
    )
