"""Re-seal every stored API key under the newest STUDIO_ENCRYPTION_KEY.

Rotation: put the new key in STUDIO_ENCRYPTION_KEY and the old one in
STUDIO_ENCRYPTION_KEY_FALLBACKS, restart, run this, then drop the old key from the fallbacks.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jobs.models import Provider
from jobs.secrets import reseal_api_key


class Command(BaseCommand):
    help = "Re-encrypt every stored provider API key under the newest STUDIO_ENCRYPTION_KEY."

    def handle(self, *args, **options) -> None:
        resealed, unreadable = 0, []
        with transaction.atomic():
            for provider in Provider.objects.select_for_update().exclude(api_key_sealed=""):
                try:
                    sealed = reseal_api_key(provider.api_key_sealed)
                except ImproperlyConfigured:
                    unreadable.append(provider.name)
                    continue
                if sealed != provider.api_key_sealed:
                    provider.api_key_sealed = sealed
                    provider.save(update_fields=["api_key_sealed"])
                    resealed += 1
            if unreadable:
                raise CommandError(
                    "No configured key opens the stored key of "
                    + ", ".join(unreadable)
                    + ": put the old key in STUDIO_ENCRYPTION_KEY_FALLBACKS. Nothing was changed."
                )
        self.stdout.write(f"Re-encrypted {resealed} provider key(s) under the newest key.")
