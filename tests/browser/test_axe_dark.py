"""The same pages as test_axe.py, with the browser preferring a dark colour scheme: no serious or
critical axe-core violation (colour contrast above all) in the studio's dark theme."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_axe import PAGES, done_job, page_path  # noqa: F401 (a fixture)
from tests.fixtures.axe import assert_no_serious_violations
from tests.fixtures.browser import log_in, wait_for_page_to_settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DARK_BACKGROUND = "() => getComputedStyle(document.body).backgroundColor === 'rgb(15, 17, 23)'"


@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_in_dark_has_no_serious_accessibility_violation(
    name,
    live_server,
    new_page,
    done_job,  # noqa: F811
):
    _path, shows = PAGES[name]
    page = new_page(color_scheme="dark")
    log_in(page, live_server.url, done_job.owner.username, None)
    # Colours are what the dark scheme changes, whatever the width: the phone layout is checked
    # in the light scheme (test_axe.py).
    for width, height in [(1280, 900)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}{page_path(name, done_job)}")
        expect(page.get_by_text(shows).first).to_be_visible()
        wait_for_page_to_settle(page)
        assert page.evaluate(DARK_BACKGROUND), "the page is not in the dark theme"
        assert_no_serious_violations(page)
