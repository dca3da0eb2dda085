from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Jobs and providers")

    def ready(self) -> None:
        from django.conf import settings

        from jobs import checks, file_cleanup  # noqa: F401  (deployment checks, file receivers)
        from jobs.providers import http
        from jobs.providers_file import load_providers_file_after_migrate

        # The provider client is plain Python; it learns its limit from the settings here.
        http.max_body_bytes = settings.STUDIO_PROVIDER_BODY_MAX_BYTES

        # Start-up loading of STUDIO_PROVIDERS_FILE: every deployment migrates before it serves.
        post_migrate.connect(load_providers_file_after_migrate, sender=self)
