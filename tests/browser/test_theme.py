"""Look and feel in a real browser: the colour scheme follows the system unless the person chose
one on /preferences/, and Chinese labels in the header keep their words whole (the icons and the
admin's look: web/look/test_theme.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from studio.models import Profile
from tests.fixtures.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"


def luminance(css_colour: str) -> float:
    """0 (black) to 255 (white): the mean of an `rgb(r, g, b)` colour's channels."""
    red, green, blue = (int(part) for part in re.findall(r"\d+", css_colour)[:3])
    return (red + green + blue) / 3


def test_the_pages_follow_the_systems_colour_scheme(live_server, new_page, alice):
    for scheme, is_dark in [("dark", True), ("light", False)]:
        page = new_page(color_scheme=scheme)
        log_in(page, live_server.url, "alice", "/preferences/")
        expect(page.get_by_label("Theme")).to_have_value("")  # System: nothing chosen yet
        assert (luminance(page.evaluate(BACKGROUND)) < 60) is is_dark, scheme


def test_a_theme_chosen_on_preferences_overrides_the_system(live_server, new_page, alice):
    page = new_page(color_scheme="dark")
    log_in(page, live_server.url, "alice", "/preferences/")
    page.get_by_label("Theme").select_option(label="Light")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your preferences are saved.")).to_be_visible()
    assert luminance(page.evaluate(BACKGROUND)) > 200
    assert Profile.objects.get(user=alice).theme == "light"

    # Kept with the person: another browser, light this time, opens in the Dark they chose.
    page.get_by_label("Theme").select_option(label="Dark")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your preferences are saved.")).to_be_visible()
    other = new_page(color_scheme="light")
    log_in(other, live_server.url, "alice", "/jobs/")
    expect(other.locator("html")).to_have_attribute("data-theme", "dark")
    assert luminance(other.evaluate(BACKGROUND)) < 60

    # Back to System: the browser's scheme decides again.
    other.goto(f"{live_server.url}/preferences/")
    other.get_by_label("Theme").select_option(label="System")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_text("Your preferences are saved.")).to_be_visible()
    expect(other.locator("html")).not_to_have_attribute("data-theme", re.compile(".*"))
    assert luminance(other.evaluate(BACKGROUND)) > 200


def test_chinese_header_labels_do_not_wrap_per_character(live_server, new_page, alice):
    page = new_page(locale="zh-CN")
    log_in(page, live_server.url, "alice", "/")
    for width in (1440, 1280, 1000):
        page.set_viewport_size({"width": width, "height": 900})
        for element in (
            page.locator("label[for=language-switcher]"),
            page.locator(".language button"),
        ):
            expect(element).to_be_visible()
            lines = element.evaluate(
                """(element) => element.getBoundingClientRect().height
                    / parseFloat(getComputedStyle(element).lineHeight)"""
            )
            assert lines < 1.5, (width, element.inner_text(), lines)
    expect(page.locator("label[for=language-switcher]")).to_have_text("语言")
