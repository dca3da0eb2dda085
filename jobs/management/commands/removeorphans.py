"""Find, and with --delete remove, stored files that no image or job refers to.

Earlier versions left files behind when a person or a job was deleted; this clears them. A file
younger than --min-age-minutes is never touched: `store_image` writes its files just before
their row, so a very new file may simply not have its row yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.core.files.storage import Storage, default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from jobs.file_cleanup import delete_stored_files
from jobs.models import Image, Job


class Command(BaseCommand):
    help = "List stored files no image or job refers to; --delete removes them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--delete", action="store_true", help="remove them (default: list)")
        parser.add_argument("--min-age-minutes", type=int, default=60)

    def handle(self, *args, delete: bool, min_age_minutes: int, **options) -> None:
        cutoff = timezone.now() - timedelta(minutes=min_age_minutes)
        referenced = referenced_names()
        orphans = [
            name
            for name in stored_names(default_storage)
            if name not in referenced and default_storage.get_modified_time(name) < cutoff
        ]
        for name in orphans:
            self.stdout.write(name)
        if delete:
            delete_stored_files(orphans)
        verb = "Removed" if delete else "Found"
        self.stdout.write(f"{verb} {len(orphans)} orphaned file(s).")


def referenced_names() -> set[str]:
    names: set[str] = set()
    for file, thumbnail in Image.objects.values_list("file", "thumbnail").iterator():
        names.update((file, thumbnail))
    names.update(Job.objects.exclude(mask="").values_list("mask", flat=True))
    return names


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file in the storage, walking folders (local directories or S3 prefixes)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # local storage that has never held a file
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)
