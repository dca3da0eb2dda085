"""Stored files leave with their rows: whichever way an image or a job is deleted (a person's
history, admin, a cascade), its files are deleted once the transaction has committed, so storage
keeps no orphans and a rollback keeps both row and file."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from jobs.models import Image, Job

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=Image, dispatch_uid="jobs.image_files_leave_with_the_row")
def image_files_leave_with_the_row(sender, instance: Image, **kwargs) -> None:
    delete_files_after_commit([instance.file.name, instance.thumbnail.name])


@receiver(post_delete, sender=Job, dispatch_uid="jobs.job_mask_leaves_with_the_row")
def job_mask_leaves_with_the_row(sender, instance: Job, **kwargs) -> None:
    delete_files_after_commit([instance.mask.name])


def delete_files_after_commit(names: Iterable[str]) -> None:
    doomed = [name for name in names if name]
    if doomed:
        transaction.on_commit(lambda: delete_stored_files(doomed))


def delete_stored_files(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete stored file %s", name, exc_info=True)
