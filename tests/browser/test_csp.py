"""The pages keep to the Content-Security-Policy in a real browser: htmx, mask painter, admin."""

from __future__ import annotations

import re

import pytest
from PIL import Image as PILImage

from jobs.models import Job, JobStatus
from tests.fixtures.browser import GROK, choose_model, log_in, wait_for_page_to_settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_for_violations(page) -> list[str]:
    """Chromium reports every refused script, style or image as a console error; collect them."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_the_header_is_sent_and_forbids_inline_scripts(client):
    policy = client.get("/accounts/login/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_an_injected_inline_handler_is_refused(live_server, new_page):
    """The check below can fail: a page that ran inline code would show up here."""
    page = new_page()
    violations = watch_for_violations(page)
    page.goto(f"{live_server.url}/accounts/login/")
    # The image fails to load; its inline handler is refused then (and the refusal reported).
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            "document.body.insertAdjacentHTML('beforeend',"
            ' \'<img src="/nothing.png" onerror="window.__ran = true">\')'
        )
    assert page.evaluate("window.__ran === undefined")
    assert violations


def test_the_pages_run_with_no_violation(
    live_server, new_page, sandbox_models, alice, stored_image, tmp_path, admin_user
):
    made = stored_image(alice, prompt="a green kite")
    running = Job.objects.create(
        owner=alice, prompt="a slow sunrise", model_name="gpt-image-1", provider_name="sandbox",
        status=JobStatus.RUNNING,
    )  # fmt: skip
    page = new_page()
    violations = watch_for_violations(page)
    log_in(page, live_server.url, "alice")

    # htmx swaps the model's fields in.
    page.goto(f"{live_server.url}/generate/")
    choose_model(page.get_by_label("Model"), label=GROK)
    page.get_by_role("group", name="Aspect ratio").wait_for()

    # The mask painter: an upload appears on its canvas and a stroke is painted.
    picture = tmp_path / "square.png"
    PILImage.new("RGB", (128, 128), (10, 90, 160)).save(picture)
    page.goto(f"{live_server.url}/edit/")
    choose_model(page.get_by_label("Model"), value=str(sandbox_models["dall-e-2"].pk))
    page.get_by_label("Image", exact=True).set_input_files(str(picture))
    page.locator("[data-edit-form][data-painter-ready]").wait_for(state="attached")
    box = page.get_by_role("img", name="Painting area").bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + 60, steps=5)
    page.mouse.up()

    # A job page refreshes itself with htmx until the job ends.
    page.goto(f"{live_server.url}/jobs/{running.pk}/")
    Job.objects.filter(pk=running.pk).update(status=JobStatus.FAILED, error_message="it broke")
    page.get_by_role("status").filter(has_text="Failed").wait_for(timeout=10_000)

    for path in ("/teams/", "/history/", f"/images/{made.pk}/"):
        page.goto(f"{live_server.url}{path}")
        wait_for_page_to_settle(page)
    assert page.evaluate("[...document.images].every(image => image.naturalWidth > 0)")
    assert page.evaluate("document.images.length") >= 1

    admin = new_page()
    violations += watch_for_violations(admin)
    log_in(admin, live_server.url, admin_user.username, path=None)
    for path in (
        "/admin/",
        "/admin/jobs/provider/",
        f"/admin/jobs/provider/{sandbox_models['dall-e-2'].provider_id}/change/",
    ):
        admin.goto(f"{live_server.url}{path}")
        wait_for_page_to_settle(admin)
    assert re.search("Providers|Provider", admin.content())
    assert violations == []
