"""The staff pages that add people and create teams, and the first-password change."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from studio.models import Membership, Profile, Role, Team
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    """The staff persona alone: no team exists until a test makes one."""
    return World().staff


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_staff_see_and_use_the_forms(alice):
    client = client_for(alice)
    page = client.get("/teams/").content.decode()
    assert "Create a team" not in page and "/people/new/" not in page
    assert client.get("/people/new/").status_code == 403
    assert client.post("/people/new/", {"username": "x"}).status_code == 403
    assert client.post("/teams/new/", {"name": "T", "owner": "alice"}).status_code == 403
    assert not get_user_model().objects.filter(username="x").exists()
    assert not Team.objects.exists()


def test_a_stranger_is_sent_to_log_in(db):
    assert Client().get("/people/new/").status_code == 302
    assert Client().post("/teams/new/", {"name": "T", "owner": "x"}).status_code == 302


def test_staff_add_a_person_and_see_the_first_password_once(staff):
    client = client_for(staff)
    response = client.post("/people/new/", {"username": "newbie", "email": ""})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = re.search(r'id="first-password"[^>]*>([^<]+)<', response.content.decode()).group(1)
    assert get_user_model().objects.get(username="newbie").check_password(password)
    assert password not in client.get("/people/new/").content.decode()


def test_a_duplicate_username_is_named_next_to_the_field(staff):
    response = client_for(staff).post("/people/new/", {"username": "SAM"})
    assert response.status_code == 400
    assert "Someone already has the username “SAM”." in response.content.decode()
    assert 'id="id_username-error"' in response.content.decode()


def test_staff_create_a_team_with_its_first_owner(staff, alice):
    client = client_for(staff)
    response = client.post("/teams/new/", {"name": "Design Team", "slug": "", "owner": "alice"})
    assert response.status_code == 302
    team = Team.objects.get(slug="design-team")
    assert Membership.objects.get(team=team).role == Role.OWNER
    assert client_for(alice).get("/teams/design-team/").status_code == 200
    overview = client.get("/teams/").content.decode()
    assert "Design Team <code>design-team</code> · Owners: alice" in overview


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "Design", "owner": "nobody"}, "owner", "There is no one with the username"),
        ({"name": "Dup", "slug": "design", "owner": "alice"}, "slug", "already uses the address"),
        ({"name": "设计", "owner": "alice"}, "slug", "Latin letters"),
        ({"name": "X", "slug": "no spaces", "owner": "alice"}, "slug", "valid “slug”"),
    ],
)
def test_bad_team_input_is_named_next_to_its_field(staff, alice, design, form, field, message):
    response = client_for(staff).post("/teams/new/", form)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}-error"' in page
    assert message in page
    assert Team.objects.count() == 1


def test_a_first_password_leads_to_the_change_form_until_changed(staff, make_user):
    client = client_for(staff)
    page = client.post("/people/new/", {"username": "newbie"}).content.decode()
    password = re.search(r'id="first-password"[^>]*>([^<]+)<', page).group(1)
    newbie = Client()
    login = newbie.post("/accounts/login/", {"username": "newbie", "password": password})
    assert login.status_code == 302
    assert newbie.get("/teams/")["Location"] == "/accounts/password_change/"
    changed = newbie.post(
        "/accounts/password_change/",
        {
            "old_password": password,
            "new_password1": "a-new-pass-9",
            "new_password2": "a-new-pass-9",
        },
    )
    assert changed.status_code == 302
    assert newbie.get("/teams/").status_code == 200
    assert not Profile.objects.get(user__username="newbie").must_change_password


def test_owners_add_members_by_username_with_a_clear_error_for_unknown_names(world):
    client = client_for(world.owner)
    response = client.post("/teams/design/members/add/", {"username": "nobody", "role": "editor"})
    assert response.status_code == 400
    assert "There is no one with the username “nobody”." in response.content.decode()
    client.post("/teams/design/members/add/", {"username": "bob", "role": "viewer"})
    assert Membership.objects.get(team=world.team, user=world.outsider).role == Role.VIEWER
