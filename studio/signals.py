"""Where the studio reacts to Django's own signals: a person's account deletion.

(Filing new images into libraries and collections is no receiver of `Image` rows any more: it
happens after a job's ending commits, through the engine's hook; see studio/filing.py.)
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from studio.library import forget_person


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="studio.forget_person")
def leavers_images_stay_with_their_teams(sender, instance, **kwargs) -> None:
    forget_person(instance)
