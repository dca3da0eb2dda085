"""The personal usage page (/usage/) in a real browser after a worker's jobs: it shows what the
ledger charged (the page itself: web/quota/test_usage_page.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jobs.quota import charged_for_job
from tests.fixtures.browser import log_in
from tests.fixtures.polling import wait_for_final

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MODELS = ["gpt-image-1", "dall-e-2", "dall-e-3"]


def test_after_jobs_the_page_shows_what_the_ledger_charged(
    live_server, new_page, celery_worker, sandbox_models, alice, submit
):
    # One image of two comes back (settled to one), one job is refused (refunded), one succeeds.
    short = submit("two boats [[fewer:1]]", n=2)
    refused = submit("a storm [[fault:policy]]", model="dall-e-2")
    done = submit("a calm sea", model="dall-e-3")
    jobs = [wait_for_final(job) for job in (short, refused, done)]
    assert [job.status for job in jobs] == ["succeeded", "failed", "succeeded"]
    charged = [charged_for_job(job) for job in jobs]
    assert charged[0][0] == 1 and charged[1] == (0, 0)

    page = new_page()
    log_in(page, live_server.url, "alice", "/usage/")
    expect(page.locator("[data-total-images]")).to_have_text(str(sum(c[0] for c in charged)))
    expect(page.locator("[data-total-credits]")).to_have_text(str(sum(c[1] for c in charged)))
    by_model = page.get_by_role("table", name="By model")
    for model, (images, credits) in zip(MODELS, charged, strict=True):
        header = page.get_by_role("rowheader", name=model, exact=True)
        cells = by_model.get_by_role("row").filter(has=header).get_by_role("cell")
        expect(cells.nth(0)).to_have_text(str(credits))
        expect(cells.nth(1)).to_have_text(str(images))
    expect(page.get_by_role("img", name="Credits by day")).to_be_visible()

    page.get_by_label("Chart").select_option("images")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("img", name="Images by day")).to_be_visible()
