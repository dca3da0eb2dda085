"""studio.people: adding a person with a first password, creating a team with its first owner."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from studio import people
from studio.models import Membership, Profile, Role, Team

pytestmark = pytest.mark.django_db


def test_a_new_person_logs_in_with_the_first_password_and_must_change_it():
    added = people.add_person(" newbie ", "newbie@example.com")
    user = get_user_model().objects.get(username="newbie")
    assert user == added.user
    assert user.email == "newbie@example.com"
    assert user.check_password(added.first_password)
    assert len(added.first_password) >= 16
    assert Profile.objects.get(user=user).must_change_password


def test_each_person_gets_another_first_password():
    first = people.add_person("one").first_password
    second = people.add_person("two").first_password
    assert first != second


def test_a_username_already_taken_in_any_case_is_refused(alice):
    with pytest.raises(people.PeopleError) as refusal:
        people.add_person("Alice")
    assert refusal.value.field == "username"
    assert "Alice" in str(refusal.value)
    assert get_user_model().objects.filter(username__iexact="alice").count() == 1


def test_a_team_is_created_with_its_first_owner(alice):
    team = people.create_team("Design", "design", "alice")
    assert Team.objects.get(slug="design") == team
    membership = Membership.objects.get(team=team)
    assert (membership.user, membership.role) == (alice, Role.OWNER)


def test_an_unknown_owner_creates_no_team(db):
    with pytest.raises(people.PeopleError) as refusal:
        people.create_team("Design", "design", "nobody")
    assert refusal.value.field == "owner"
    assert "nobody" in str(refusal.value)
    assert not Team.objects.exists()


def test_a_team_address_already_taken_is_refused(alice, bob):
    people.create_team("Design", "design", "alice")
    with pytest.raises(people.PeopleError) as refusal:
        people.create_team("Design two", "design", "bob")
    assert refusal.value.field == "slug"
    assert Team.objects.get().name == "Design"
    assert not Membership.objects.filter(user=bob).exists()


def test_staff_see_every_team_with_its_owners(alice, bob):
    people.create_team("Design", "design", "alice")
    ops = people.create_team("Ops", "ops", "bob")
    Membership.objects.create(team=ops, user=alice, role=Role.OWNER)
    Team.objects.create(name="Empty", slug="empty")
    overview = [(team.slug, owners) for team, owners in people.teams_with_owners()]
    assert overview == [("design", ["alice"]), ("empty", []), ("ops", ["alice", "bob"])]
