"""Deleting from a person's history: their own images go, except those a team library holds
(those belong to the team now, and a team owner removes them there first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobs.models import Image
from studio.models import LibraryItem, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def history_prompts(user: User, image_ids: Sequence) -> list[str]:
    """The prompts of the person's own images among `image_ids`, to name what a delete takes."""
    images = Image.objects.filter(owner=user, pk__in=image_ids).select_related("job")
    return [image.job.prompt if image.job else _("Uploaded image") for image in images]


@dataclass(frozen=True)
class HistoryDeletion:
    deleted: int
    kept_in_team: list[str]  # names of teams whose libraries still hold an image we did not delete

    @property
    def message(self) -> str:
        parts = [
            ngettext("Deleted %(count)s image.", "Deleted %(count)s images.", self.deleted)
            % {"count": self.deleted}
        ]
        if self.kept_in_team:
            teams = ", ".join(sorted(self.kept_in_team))
            parts.append(
                _(
                    "Kept the images shared with %(teams)s: they belong to the team library now; "
                    "ask a team owner to remove them there first."
                )
                % {"teams": teams}
            )
        return " ".join(parts)


def delete_from_history(user: User, image_ids: Sequence) -> HistoryDeletion:
    """Delete the person's own images, except those a team library still holds.

    Their files go after commit (`jobs.file_cleanup`), so a rollback keeps both.
    """
    own = Image.objects.filter(owner=user, pk__in=image_ids)
    kept_teams = Team.objects.filter(library_items__image__in=own).distinct()
    kept_names = list(kept_teams.values_list("name", flat=True))
    with transaction.atomic():
        doomed = own.exclude(Exists(LibraryItem.objects.filter(image=OuterRef("pk"))))
        deleted = doomed.count()
        doomed.delete()
    return HistoryDeletion(deleted=deleted, kept_in_team=kept_names)
