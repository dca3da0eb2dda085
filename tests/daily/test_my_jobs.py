"""My jobs (/jobs/): every job the person started, whatever became of it, and nobody else's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jobs import engine
from jobs.models import JobStatus
from jobs.quota import charged_for_job
from studio import my_jobs
from studio.models import Membership, Role, Team
from tests.fixtures.browser import log_in
from tests.fixtures.factories import make_job
from tests.fixtures.polling import wait_for_final

pytestmark = pytest.mark.django_db

REFUSED = "a harbour at dusk [[fault:policy]]"


def listed_ids(response) -> list[str]:
    return re.findall(r'data-job-id="([0-9a-f-]+)"', response.content.decode())


@pytest.fixture
def design(alice) -> Team:
    team = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=team, user=alice, role=Role.EDITOR)
    return team


def test_it_lists_the_persons_own_jobs_newest_first_each_linked_to_its_page(client, alice, bob):
    older = make_job(alice, prompt="a lighthouse")
    newer = make_job(alice, prompt="a ferry", status=JobStatus.FAILED)
    make_job(bob, prompt="bob's secret boat")
    client.force_login(alice)
    response = client.get("/jobs/")
    page = response.content.decode()
    assert listed_ids(response) == [str(newer.pk), str(older.pk)]
    assert f'href="/jobs/{newer.pk}/"' in page and f'href="/jobs/{older.pk}/"' in page
    assert "Failed" in page and "Queued" in page
    assert "bob&#x27;s secret boat" not in page and "secret boat" not in page


def test_it_asks_a_stranger_to_log_in(client):
    response = client.get("/jobs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_filters_by_status(client, alice):
    queued = make_job(alice, prompt="waiting")
    failed = make_job(alice, prompt="broken", status=JobStatus.FAILED)
    make_job(alice, prompt="done", status=JobStatus.SUCCEEDED)
    client.force_login(alice)
    assert listed_ids(client.get("/jobs/", {"status": "failed"})) == [str(failed.pk)]
    assert listed_ids(client.get("/jobs/", {"status": "queued"})) == [str(queued.pk)]
    assert listed_ids(client.get("/jobs/", {"status": "canceled"})) == []


def test_it_filters_by_workspace(client, alice, design):
    personal = make_job(alice, prompt="at home")
    in_team = make_job(alice, prompt="for the team", team=design)
    client.force_login(alice)
    assert listed_ids(client.get("/jobs/", {"workspace": "personal"})) == [str(personal.pk)]
    assert listed_ids(client.get("/jobs/", {"workspace": "design"})) == [str(in_team.pk)]
    assert len(listed_ids(client.get("/jobs/", {"workspace": ""}))) == 2


def test_a_team_the_person_is_not_in_is_not_a_choice_and_shows_nothing_of_it(client, alice, bob):
    ops = Team.objects.create(name="Ops", slug="ops")
    Membership.objects.create(team=ops, user=bob, role=Role.OWNER)
    make_job(bob, prompt="ops plan", team=ops)
    mine = make_job(alice, prompt="mine")
    client.force_login(alice)
    response = client.get("/jobs/", {"workspace": "ops"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page and "ops plan" not in page
    assert listed_ids(response) == [str(mine.pk)]  # the invalid filter is not applied


def test_a_bad_page_number_or_status_is_not_an_error(client, alice):
    make_job(alice)
    client.force_login(alice)
    assert client.get("/jobs/", {"page": "x", "status": "lost"}).status_code == 200
    assert listed_ids(client.get("/jobs/", {"page": "9"})) == []


def test_it_pages_newest_first(client, alice, monkeypatch):
    monkeypatch.setattr(my_jobs, "PAGE_SIZE", 2)
    jobs = [make_job(alice, prompt=f"study {n}") for n in range(5)]
    newest_first = [str(job.pk) for job in reversed(jobs)]
    client.force_login(alice)
    first = client.get("/jobs/", {"status": "queued"})
    assert listed_ids(first) == newest_first[:2]
    assert "status=queued&amp;page=2" in first.content.decode()
    assert listed_ids(client.get("/jobs/", {"status": "queued", "page": 3})) == newest_first[4:]


def test_a_page_costs_the_same_queries_with_few_or_many_jobs(
    client, alice, design, django_assert_max_num_queries
):
    client.force_login(alice)
    make_job(alice)
    client.get("/jobs/")  # warm the session and the content types
    with django_assert_max_num_queries(12) as few:
        client.get("/jobs/")
    for n in range(20):
        make_job(alice, team=design if n % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/jobs/")


def test_it_shows_what_a_job_cost_and_that_a_refused_one_was_refunded(client, alice, submit):
    done = submit("a calm sea", n=2)
    engine.run_job(done.pk)
    refused = submit(REFUSED)
    engine.run_job(refused.pk)
    refused.refresh_from_db()
    assert refused.status == JobStatus.FAILED and charged_for_job(refused) == (0, 0)
    client.force_login(alice)
    page = client.get("/jobs/").content.decode()
    row = re.search(rf'data-job-id="{done.pk}".*?</li>', page, re.S).group(0)
    assert "Succeeded" in row and "2 images" in row and "2 credits" in row
    assert row.count("/thumbnail/") == 1
    row = re.search(rf'data-job-id="{refused.pk}".*?</li>', page, re.S).group(0)
    assert "Failed" in row and "refunded" in row and "0 images" in row


# --- In a browser, end to end -----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_my_jobs_lists_a_failed_job_and_filters_it_but_never_shows_anothers(
    live_server, new_page, celery_worker, sandbox_models, alice, bob, submit
):
    design = Team.objects.create(name="Design", slug="design")
    Membership.objects.create(team=design, user=alice, role=Role.EDITOR)
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
