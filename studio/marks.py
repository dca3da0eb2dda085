"""What pages read off a model instance that the model does not hold: the star on an image and a
person's role on a team.

Library querysets annotate `is_favourite` in SQL; a single image shown or starred gets it here, so
every star template reads `image.is_favourite`. The marks are typed as django-stubs types a
queryset annotation (`WithAnnotations`), which is what they stand in for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, cast

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

    from jobs.models import Image
    from studio.models import Team


class _Starred(TypedDict):
    is_favourite: bool


class _RoleLabel(TypedDict):
    role_label: StrOrPromise


def mark_favourite(image: Image, is_favourite: bool) -> None:
    """Whether the viewer starred `image`, where the star templates read it."""
    cast("WithAnnotations[Image, _Starred]", image).is_favourite = is_favourite


def mark_role_label(team: Team, label: StrOrPromise) -> None:
    """The person's role in `team`, as the team list shows it."""
    cast("WithAnnotations[Team, _RoleLabel]", team).role_label = label
