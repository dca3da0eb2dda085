"""Team membership changes: add, change role, remove, leave. A team always keeps an owner.

A person who leaves (or is removed) takes nothing with them: the images they shared stay in the
team's library, because library items belong to the team, not to the member.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from studio.models import Membership, Role, Team


class MembershipError(ValueError):
    """A change that cannot be made; the message says why, for a person."""


def team_members(team: Team) -> list[Membership]:
    return list(team.memberships.select_related("user").order_by("user__username"))


def add_member(team: Team, username: str, role: str) -> Membership:
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None:
        raise MembershipError(
            _("There is no one with the username “%(name)s”.") % {"name": username.strip()}
        )
    membership, created = Membership.objects.get_or_create(
        team=team, user=user, defaults={"role": role}
    )
    if not created:
        raise MembershipError(
            _("%(name)s is already a member of %(team)s.")
            % {"name": user.get_username(), "team": team}
        )
    return membership


def change_role(team: Team, username: str, role: str) -> Membership:
    with transaction.atomic():
        membership = _locked_membership(team, username)
        if membership.role == Role.OWNER and role != Role.OWNER:
            _ensure_another_owner(team, membership)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def remove_member(team: Team, username: str) -> None:
    """Remove someone (or let them leave); their shared images stay in the library."""
    with transaction.atomic():
        membership = _locked_membership(team, username)
        if membership.role == Role.OWNER:
            _ensure_another_owner(team, membership)
        membership.delete()


def _locked_membership(team: Team, username: str) -> Membership:
    # Locking the team's owner rows serialises two owners demoting each other at once.
    list(Membership.objects.select_for_update().filter(team=team, role=Role.OWNER))
    membership = (
        Membership.objects.select_related("user").filter(team=team, user__username=username).first()
    )
    if membership is None:
        raise MembershipError(
            _("%(name)s is not a member of %(team)s.") % {"name": username, "team": team}
        )
    return membership


def _ensure_another_owner(team: Team, leaving: Membership) -> None:
    others = Membership.objects.filter(team=team, role=Role.OWNER).exclude(pk=leaving.pk)
    if not others.exists():
        raise MembershipError(
            _("%(name)s is the last owner of %(team)s; make someone else an owner first.")
            % {"name": leaving.user.get_username(), "team": team}
        )
