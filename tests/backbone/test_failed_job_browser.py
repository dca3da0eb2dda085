"""In a real browser: a job the provider answered with broken JSON says so in a sentence, with the
provider's raw words behind "Details", on its page and on its card in the studio's feed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jobs import engine
from tests.fixtures.browser import log_in
from tests.fixtures.polling import wait_for_final

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "The provider answered with something that is not JSON."
RAW = '{"created": 1, "data": [{"url": "http://'  # jobs/sandbox/envelopes.py: MALFORMED_BODY


@pytest.fixture
def failed_job(submit, sandbox):
    job = submit("garbled answer [[fault:malformed]]")
    engine.run_job(job.pk)  # here, unless a worker kept from an earlier test took it first
    assert wait_for_final(job).status == "failed"  # a malformed answer is permanent
    return job


@pytest.mark.parametrize("where", ["job page", "feed card"])
def test_a_malformed_answer_shows_a_sentence_and_details(new_page, live_server, failed_job, where):
    page = new_page()
    log_in(
        page, live_server.url, "alice", f"/jobs/{failed_job.pk}/" if where == "job page" else "/"
    )
    box = (
        page.locator("#job-status")
        if where == "job page"
        else page.locator(f'[data-job-id="{failed_job.pk}"]')
    )

    expect(box.get_by_text(SENTENCE, exact=True)).to_be_visible()
    raw = box.locator("details pre")
    expect(raw).to_be_hidden()
    assert RAW not in box.locator(".job-error").inner_text()

    box.get_by_text("Details", exact=True).click()

    expect(raw).to_be_visible()
    expect(raw).to_contain_text(RAW)
