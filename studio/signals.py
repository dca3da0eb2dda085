"""Where the studio reacts to the engine: an image made in a team lands in that team's library.

The engine (`jobs`) knows nothing of libraries; it records `Image.team`, the workspace the job ran
in. This receiver turns that into a LibraryItem, so the library has one source of truth (its items)
whether an image was made in the team or shared into it later.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from jobs.models import Image
from studio.library import add_to_library, collect_result
from studio.models import Collection


@receiver(post_save, sender=Image, dispatch_uid="studio.team_images_join_their_library")
def team_images_join_their_library(
    sender: type[Image], instance: Image, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw") and instance.team is not None:
        add_to_library(instance.team, [instance], added_by=instance.owner)


@receiver(post_save, sender=Image, dispatch_uid="studio.results_land_in_their_collection")
def results_land_in_their_collection(
    sender: type[Image], instance: Image, created: bool, **kwargs: Any
) -> None:
    """A job submitted with a target collection puts each result in it: a team's (and so in its
    library) or its owner's personal one."""
    if not created or kwargs.get("raw") or instance.job is None:
        return
    collection = (
        Collection.objects.filter(pk=instance.job.collection_id).select_related("team").first()
        if instance.job.collection_id
        else None
    )
    if collection is None:
        return
    collect_result(collection, instance)
