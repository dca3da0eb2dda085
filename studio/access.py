"""The one place that decides who may see or change a job, an image, a team, its library, or a
collection (a team's, or a person's own).

Everything a person can reach by URL goes through these helpers. Anything they may not see is a
404, so a stranger cannot even learn that it exists; a team member who may look but not act gets a
403 (they already know the team exists).

Roles, from the issue: viewers look and download; editors also add, tag and organise; owners also
manage the team. Only an image's creator or a team owner may take it out of the team's library.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from jobs.models import Batch, Image, Job
from studio.models import ApiToken, Collection, LibraryItem, Membership, Role, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

ANY_ROLE = (Role.OWNER, Role.EDITOR, Role.VIEWER)
# The roles that make things in a team: create images in it (pages and API tokens), add to its
# library, share in, tag, collect. The one list of them.
ORGANISERS = (Role.OWNER, Role.EDITOR)
MANAGERS = (Role.OWNER,)  # members and roles


def visible_jobs(user: User) -> QuerySet[Job]:
    return Job.objects.filter(owner=user)


def visible_images(user: User) -> QuerySet[Image]:
    """Images a person may look at: their own, and those in libraries of teams they belong to."""
    in_my_teams = LibraryItem.objects.filter(image=OuterRef("pk"), team__memberships__user=user)
    return Image.objects.filter(Q(owner=user) | Exists(in_my_teams))


def get_job_for(user: User, job_id: UUID | str) -> Job:
    try:
        return visible_jobs(user).select_related("model__provider").get(pk=job_id)
    except (Job.DoesNotExist, ValueError) as error:
        raise Http404("No such job.") from error


# --- API tokens: never more than their owner, and only within the token's own limits ---------


def token_jobs(token: ApiToken) -> QuerySet[Job]:
    """Jobs a token may read: its owner's, in the token's team if it has one, and of the models
    it is limited to if it is; so a team or single-model token cannot read the rest."""
    jobs = visible_jobs(token.user)
    if token.team_id is not None:
        jobs = jobs.filter(team_id=token.team_id)
    if not token.all_models:
        jobs = jobs.filter(model__in=token.allowed_models.all())
    return jobs


def token_images(token: ApiToken) -> QuerySet[Image]:
    """Images a token may use as edit sources and masks: a team token only its team's (made
    there or in its library), a personal token whatever its owner may see."""
    images = visible_images(token.user)
    if token.team_id is None:
        return images
    in_library = LibraryItem.objects.filter(image=OuterRef("pk"), team_id=token.team_id)
    return images.filter(Q(team_id=token.team_id) | Exists(in_library))


def get_job_for_token(token: ApiToken, job_id: UUID | str) -> Job:
    try:
        return token_jobs(token).select_related("model__provider").get(pk=job_id)
    except (Job.DoesNotExist, ValueError) as error:
        raise Http404("No such job.") from error


def get_image_for_token(token: ApiToken, image_id: UUID | str) -> Image:
    try:
        return token_images(token).select_related("job", "owner", "team").get(pk=image_id)
    except (Image.DoesNotExist, ValueError) as error:
        raise Http404("No such image.") from error


def get_batch_for(user: User, batch_id: UUID | str) -> Batch:
    try:
        return Batch.objects.filter(owner=user).get(pk=batch_id)
    except (Batch.DoesNotExist, ValueError) as error:
        raise Http404("No such batch.") from error


def get_image_for(user: User, image_id: UUID | str) -> Image:
    try:
        return visible_images(user).select_related("job", "owner", "team").get(pk=image_id)
    except (Image.DoesNotExist, ValueError) as error:
        raise Http404("No such image.") from error


# --- Teams ------------------------------------------------------------------------------------


def require_staff(user: User | AnonymousUser) -> None:
    """Adding people and creating teams is for staff admins only; everyone else gets 403."""
    if not (user.is_authenticated and user.is_staff):
        raise PermissionDenied("Only a staff admin can do that.")


def user_teams(user: User) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user=user)


def teams_where(user: User, *roles: str) -> QuerySet[Team]:
    """Teams in which the person holds one of `roles` (e.g. where they may share images in)."""
    return Team.objects.filter(memberships__user=user, memberships__role__in=roles)


def team_role(user: User | AnonymousUser, team: Team) -> Role | None:
    """The person's role in the team, or None when they are not a member."""
    if not user.is_authenticated:
        return None
    role = Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()
    return Role(role) if role else None


def require_team_role(user: User | AnonymousUser, team: Team, *roles: str) -> Role:
    """The person's role, if it is one of `roles`; 404 for non-members, 403 for the wrong role."""
    role = team_role(user, team)
    if role is None:
        raise Http404("No such team.")
    if role not in (roles or ANY_ROLE):
        raise PermissionDenied(f"A team {role.label.lower()} cannot do that.")
    return role


def get_team_for(user: User | AnonymousUser, slug: str, *roles: str) -> tuple[Team, Role]:
    """The team named by `slug` with the person's role in it, checked as `require_team_role`."""
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise Http404("No such team.")
    return team, require_team_role(user, team, *roles)


def personal_collections(user: User) -> QuerySet[Collection]:
    """A person's own collections: nobody else sees, opens or fills them."""
    return Collection.objects.filter(team__isnull=True, owner=user)


def get_collection_for(
    user: User, collection_id: UUID | str, *, team: Team | None = None
) -> Collection:
    """A collection of `team` (whose membership the caller has already checked), or, without a
    team, one of the person's own personal collections; 404 for anything else."""
    collections = (
        Collection.objects.filter(team=team) if team is not None else personal_collections(user)
    )
    try:
        return collections.get(pk=collection_id)
    except (Collection.DoesNotExist, ValueError) as error:
        raise Http404("No such collection.") from error


def removable_items(
    user: User, team: Team, role: Role, image_ids: Iterable[UUID]
) -> QuerySet[LibraryItem]:
    """The team's items for `image_ids`, all of which the person may remove; 403 otherwise."""
    items = LibraryItem.objects.filter(team=team, image_id__in=image_ids)
    if role != Role.OWNER and items.exclude(image__owner=user).exists():
        raise PermissionDenied("Only the person who made an image or a team owner can remove it.")
    return items
