"""Collections, a team's or a person's own: making them, filling and emptying them, listing them.

A team's collection holds the team's library items (so an image in it is in the library too); a
person's own holds images of their history directly (those are in no library). Removing an image
from a collection, or deleting the collection, never deletes an image.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from studio.access import personal_collections
from studio.library import history_images, library_items
from studio.models import Collection, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def create_collection(team: Team | None, name: str, *, created_by: User) -> Collection:
    """The team's collection called `name`, or without a team `created_by`'s own (made if need
    be)."""
    collection, _created = Collection.objects.get_or_create(
        team=team,
        owner=None if team is not None else created_by,
        name=name.strip(),
        defaults={"created_by": created_by},
    )
    return collection


def add_to_collection(
    team: Team | None,
    image_ids: Sequence,
    *,
    collection: Collection | None,
    new_name: str = "",
    added_by: User,
) -> tuple[Collection, int]:
    """Put the team's images (without a team: the person's own) in `collection`, or in one called
    `new_name` (made if need be); returns it and how many of the images were there to add."""
    if collection is None:
        collection = create_collection(team, new_name, created_by=added_by)
    if collection.is_personal:
        images = list(history_images(added_by).filter(pk__in=image_ids))
        collection.images.add(*images)
        return collection, len(images)
    assert team is not None, "a team's collection is filled from its library"
    items = list(library_items(team, image_ids))
    collection.items.add(*items)
    return collection, len(items)


def remove_from_collection(collection: Collection, image_ids: Sequence) -> int:
    if collection.is_personal:
        images = list(collection.images.filter(pk__in=image_ids))
        collection.images.remove(*images)
        return len(images)
    assert collection.team is not None, "a collection is a person's or a team's"
    items = list(library_items(collection.team, image_ids))
    collection.items.remove(*items)
    return len(items)


def personal_collection_list(user: User) -> QuerySet[Collection]:
    """The person's own collections with how many images each holds, for "My collections"."""
    return personal_collections(user).annotate(size=Count("images"))


def team_collection_list(team: Team) -> QuerySet[Collection]:
    """A team's collections with how many images each holds, for its collections page."""
    return Collection.objects.filter(team=team).annotate(size=Count("items"))


def team_collections(team: Team) -> QuerySet[Collection]:
    return Collection.objects.filter(team=team)


def delete_collection(collection: Collection) -> None:
    """Only the board goes: its images stay in the library or the history."""
    collection.delete()
