"""axe-core finds no serious or critical accessibility violation on the pages a person meets: the
studio page, a job page, My jobs, History, a team library, the usage page and the rest, at a desk
and on a phone in the light colour scheme, and at a desk in the dark one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jobs import engine
from studio.library import share_images
from studio.submit import JobSpec, submit_job
from tests.fixtures.axe import assert_no_serious_violations
from tests.fixtures.browser import log_in, wait_for_page_to_settle
from tests.fixtures.polling import wait_for_final

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def done_job(sandbox_models, world):
    """A job of the team owner's (olive: her team's page has the forms that manage members) that
    succeeded with two stored images, shared into her team's library."""
    owner, design = world.owner, world.team
    spec = JobSpec(
        owner=owner, model=sandbox_models["gpt-image-1"], prompt="a lighthouse at dawn", n=2
    )
    job = submit_job(spec)
    engine.run_job(job.pk)  # here, unless a worker kept from an earlier test took it first
    assert wait_for_final(job).status == "succeeded", job.error_message
    share_images(owner, design, [image.pk for image in job.images.all()])
    return job


PAGES = {
    "studio": ("/", "Prompt"),
    "job": ("/jobs/{job}/", "Succeeded"),
    "my jobs": ("/jobs/", "My jobs"),
    "history": ("/history/", "History"),
    "team library": ("/teams/design/library/", "Design"),
    "usage": ("/usage/", "Usage"),
    "image": ("/images/{image}/", "a lighthouse at dawn"),
    "edit": ("/edit/", "Prompt"),
    "compare": ("/compare/", "Model 1"),
    "teams": ("/teams/", "Design"),
    "team": ("/teams/design/", "Design"),
    "collections": ("/collections/", "My collections"),
    "tokens": ("/account/tokens/", "API tokens"),
    "preferences": ("/preferences/", "Preferences"),
    "not found": ("/no-such-page/", "Not found"),
}


def page_path(name: str, job) -> str:
    """The page's path, with the job (and its first image) filled in."""
    path, _shows = PAGES[name]
    return path.format(job=job.pk, image=job.images.order_by("index").first().pk)


DARK_BACKGROUND = "() => getComputedStyle(document.body).backgroundColor === 'rgb(15, 17, 23)'"


def assert_accessible(page, url: str, shows: str) -> None:
    page.goto(url)
    expect(page.get_by_text(shows).first).to_be_visible()
    wait_for_page_to_settle(page)
    assert_no_serious_violations(page)


@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_has_no_serious_accessibility_violation(name, live_server, new_page, done_job):
    _path, shows = PAGES[name]
    url = f"{live_server.url}{page_path(name, done_job)}"
    page = new_page()
    log_in(page, live_server.url, done_job.owner.username, None)
    for width, height in [(1280, 900), (390, 844)]:  # a desk, a phone
        page.set_viewport_size({"width": width, "height": height})
        assert_accessible(page, url, shows)
    # Colours are what the dark scheme changes, whatever the width: at a desk only.
    dark = new_page(color_scheme="dark")
    log_in(dark, live_server.url, done_job.owner.username, None)
    assert_accessible(dark, url, shows)
    assert dark.evaluate(DARK_BACKGROUND), "the page is not in the dark theme"


def test_the_checker_finds_what_it_should(live_server, new_page, alice):
    """An unlabelled field put on a page is reported: the check works."""
    page = new_page()
    log_in(page, live_server.url, "alice", "/usage/")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend',
                '<input type="text"><p style="color:#eee;background:#fff">faint</p>');
        }"""
    )
    with pytest.raises(AssertionError, match="label"):
        assert_no_serious_violations(page)
