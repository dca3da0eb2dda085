"""Removing a person from the studio, as one explicit action.

The admin's person pages call it (their delete page and the "delete selected" action, see
studio/admin.py); no signal does it behind a bare `user.delete()`. What was only theirs goes,
what a team holds stays:

- Their unfinished jobs end through the engine's own cancel first (`jobs.services.delete_jobs`),
  so their quota comes back and their limit slots are free at once, not when they expire.
- Their images in no team library go (files after commit), and so do their jobs that no remaining
  image comes from (a job has images only once it ended, so every unfinished one is among them).
- Images in a team library, and the jobs that made them (their prompt), stay with the team
  without an owner; their personal collections, memberships and tokens go with them.

All of it is one transaction: a rollback keeps the person, their jobs and their files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef

from jobs.models import Image, Job
from jobs.services import delete_jobs
from studio.models import LibraryItem

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def remove_person(user: User) -> None:
    """Delete `user` and what was only theirs; see the module's docstring."""
    with transaction.atomic():
        in_a_library = LibraryItem.objects.filter(image=OuterRef("pk"))
        Image.objects.filter(owner=user).exclude(Exists(in_a_library)).delete()
        has_images = Image.objects.filter(job=OuterRef("pk"))
        delete_jobs(Job.objects.filter(owner=user).exclude(Exists(has_images)))
        user.delete()


def remove_people(users: Iterable[User]) -> int:
    """Remove each person as `remove_person` does, all or none; returns how many."""
    removed = 0
    with transaction.atomic():
        for user in users:
            remove_person(user)
            removed += 1
    return removed
