"""Where the studio reacts to the engine: an image made in a team lands in that team's library.

The engine (`jobs`) knows nothing of libraries; it records `Image.team`, the workspace the job ran
in. This receiver turns that into a LibraryItem, so the library has one source of truth (its items)
whether an image was made in the team or shared into it later.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from jobs.models import Image
from studio.library import add_to_library


@receiver(post_save, sender=Image, dispatch_uid="studio.team_images_join_their_library")
def team_images_join_their_library(sender, instance: Image, created: bool, **kwargs) -> None:
    if created and instance.team_id and not kwargs.get("raw"):
        add_to_library(instance.team, [instance], added_by=instance.owner)
