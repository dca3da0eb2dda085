from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = _("Studio")

    def ready(self) -> None:
        from studio import people, preferences, signals  # noqa: F401  (connects the receivers)
