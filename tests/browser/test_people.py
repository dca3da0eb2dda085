"""A staff admin starts a team from the studio's pages alone (issue 21, part 6), in a browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from studio.models import Membership, Role
from tests.fixtures.axe import assert_no_serious_violations
from tests.fixtures.browser import log_in, log_in_with_the_form
from tests.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_adds_a_person_and_a_team_whose_owner_adds_a_member(live_server, new_page, bob):
    staff = World().staff
    admin = new_page()
    log_in(admin, live_server.url, staff.username, "/teams/")
    admin.get_by_role("link", name="Add a person").click()
    admin.get_by_label("Username").fill("nina")
    admin.get_by_role("button", name="Add person").click()
    expect(admin.get_by_role("heading", name="nina can log in now")).to_be_visible()
    password = admin.locator("#first-password").inner_text()
    assert_no_serious_violations(admin)

    admin.get_by_role("link", name="Teams: create a team or add them to one").click()
    admin.get_by_label("Team name").fill("Posters")
    admin.get_by_label("First owner").fill("nobody")
    admin.get_by_role("button", name="Create team").click()
    expect(admin.get_by_text("There is no one with the username “nobody”.")).to_be_visible()
    assert_no_serious_violations(admin)
    admin.get_by_label("First owner").fill("nina")
    admin.get_by_role("button", name="Create team").click()
    expect(admin.get_by_text("Created Posters; nina is its owner")).to_be_visible()
    all_teams = admin.get_by_role("region", name="All teams")
    expect(all_teams.get_by_role("listitem")).to_have_text("Posters posters · Owners: nina")

    nina = new_page()
    log_in_with_the_form(nina, live_server.url, "nina", password)
    expect(nina.get_by_role("heading", name="Choose your password")).to_be_visible()
    assert_no_serious_violations(nina)
    nina.get_by_label("Old password").fill(password)
    nina.get_by_label("New password", exact=True).fill("posters-and-prints-7")
    nina.get_by_label("New password confirmation").fill("posters-and-prints-7")
    nina.get_by_role("button", name="Change password").click()
    expect(nina.get_by_role("heading", name="Password changed")).to_be_visible()

    nina.goto(f"{live_server.url}/teams/posters/")
    nina.get_by_label("Username").fill("nobody")
    nina.get_by_role("button", name="Add member").click()
    expect(nina.get_by_text("There is no one with the username “nobody”.")).to_be_visible()
    nina.get_by_label("Username").fill("bob")
    nina.get_by_role("button", name="Add member").click()
    expect(nina.get_by_role("rowheader", name="bob")).to_be_visible()
    assert Membership.objects.get(team__slug="posters", user__username="bob").role == Role.EDITOR
