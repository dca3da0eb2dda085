from django.apps import AppConfig
from django.db.models.signals import post_migrate


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs and providers"

    def ready(self) -> None:
        from jobs.catalog import load_providers_file_after_migrate

        # Start-up loading of STUDIO_PROVIDERS_FILE: every deployment migrates before it serves.
        post_migrate.connect(load_providers_file_after_migrate, sender=self)
