"""My jobs (/jobs/) in a real browser, end to end with a worker: a failed job is listed and
filtered, and nobody else's job shows (the page itself: web/jobs/test_my_jobs.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jobs.models import JobStatus
from tests.fixtures.browser import log_in
from tests.fixtures.polling import wait_for_final
from tests.web.jobs.test_my_jobs import REFUSED
from tests.world import make_job

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_my_jobs_lists_a_failed_job_and_filters_it_but_never_shows_anothers(
    live_server, new_page, celery_worker, sandbox_models, alice, bob, design, submit
):
    failed = submit(REFUSED)
    in_team = make_job(alice, prompt="the team's poster", team=design, status=JobStatus.CANCELED)
    others = submit("bob's own kite", owner=bob)
    # The worker runs the refused job to its end (the provider says no): a failed job.
    assert wait_for_final(failed).status == JobStatus.FAILED

    page = new_page()
    log_in(page, live_server.url, "alice", "/jobs/")
    row = page.locator(f'[data-job-id="{failed.pk}"]')
    expect(row.locator("[data-job-status]")).to_have_text("Failed")
    expect(row).to_contain_text("refunded")
    expect(page.locator("[data-job-id]")).to_have_count(2)
    expect(page.locator(f'[data-job-id="{others.pk}"]')).to_have_count(0)
    expect(page.get_by_text("bob's own kite")).to_have_count(0)

    page.get_by_label("Status").select_option("failed")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"status=failed"))
    expect(page.locator("[data-job-id]")).to_have_count(1)
    expect(row).to_be_visible()

    page.get_by_label("Status").select_option("")
    page.get_by_label("Workspace").select_option(label="Design")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"workspace=design"))
    expect(page.locator("[data-job-id]")).to_have_count(1)
    team_row = page.locator(f'[data-job-id="{in_team.pk}"]')
    expect(team_row.locator("[data-job-status]")).to_have_text("Canceled")

    team_row.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/jobs/{in_team.pk}/")
