"""People and teams made by a staff admin from the studio's own pages (not Django admin).

A new person gets a first password that is shown once to the admin who added them and never
stored in the clear; until they choose their own, every page sends them to the password change
form (`FirstPasswordMiddleware`). A new team is created with its first owner, so the team's own
page works from the start and the owner adds everyone else there (studio.teams.add_member).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from studio.http import AuthenticatedHttpRequest
from studio.models import Membership, Profile, Role, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Enough entropy to be safe for the short time it lives; short enough to read aloud or type.
FIRST_PASSWORD_BYTES = 12
_MUST_CHANGE = "must_change_password"
# What a person who still has their first password may open besides the change form.
_STILL_OPEN = ("password_change", "logout", "set_language", "javascript-catalog")


class PeopleError(ValueError):
    """Input that cannot be used; `field` is the form field the message belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewPerson:
    user: User
    first_password: str


def add_person(username: str, email: str = "") -> NewPerson:
    """Create a person with a first password they must change; the password is returned once."""
    username = username.strip()
    taken = _("Someone already has the username “%(name)s”.") % {"name": username}
    users = get_user_model().objects
    # Usernames are unique as typed; "Alice" next to "alice" would only confuse people.
    if users.filter(username__iexact=username).exists():
        raise PeopleError("username", taken)
    password = secrets.token_urlsafe(FIRST_PASSWORD_BYTES)
    try:
        with transaction.atomic():
            user = users.create_user(username, email.strip(), password)
            Profile.objects.update_or_create(user=user, defaults={_MUST_CHANGE: True})
    except IntegrityError:  # the same name added at the same moment
        raise PeopleError("username", taken) from None
    return NewPerson(user=user, first_password=password)


def create_team(name: str, slug: str, owner_username: str) -> Team:
    """Create a team and make `owner_username` its first owner, both or neither."""
    owner = get_user_model().objects.filter(username=owner_username.strip()).first()
    if owner is None:
        raise PeopleError(
            "owner",
            _("There is no one with the username “%(name)s”.") % {"name": owner_username.strip()},
        )
    taken = _("A team already uses the address “%(slug)s”; choose another.") % {"slug": slug}
    if Team.objects.filter(slug=slug).exists():
        raise PeopleError("slug", taken)
    try:
        with transaction.atomic():
            team = Team.objects.create(name=name.strip(), slug=slug)
            Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    except IntegrityError:  # the same address taken at the same moment
        raise PeopleError("slug", taken) from None
    return team


def teams_with_owners() -> list[tuple[Team, list[str]]]:
    """Every team with its owners' usernames, for the staff admin's overview on /teams/."""
    teams = Team.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(role=Role.OWNER).select_related("user"),
            to_attr="owner_memberships",
        )
    )
    return [(team, sorted(m.user.get_username() for m in team.owner_memberships)) for team in teams]


def first_password_changed(request: AuthenticatedHttpRequest) -> None:
    """The person chose their own password: stop sending them to the change form."""
    Profile.objects.filter(user=request.user).update(**{_MUST_CHANGE: False})
    request.session.pop(_MUST_CHANGE, None)


@receiver(user_logged_in, dispatch_uid="studio.people.remember_first_password")
def remember_first_password(
    sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """Note in the session whether the person still has their first password, so that the
    middleware need not ask the database on every request."""
    if request is not None and Profile.objects.filter(user=user, **{_MUST_CHANGE: True}).exists():
        request.session[_MUST_CHANGE] = True


class FirstPasswordMiddleware:
    """Sends a person who still has the first password an admin gave them to the password change
    form, whatever page they ask for (logging out and the form itself excepted)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(_MUST_CHANGE) and request.user.is_authenticated:
            allowed = {reverse(name) for name in _STILL_OPEN}
            if request.path not in allowed:
                return redirect("password_change")
        return self.get_response(request)
