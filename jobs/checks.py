"""Deployment checks (`manage.py check --deploy`) for what the studio itself must be given."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def encryption_key_is_configured(app_configs, **kwargs) -> list[Warning]:
    """A key kept in var/ is lost with a container; the stored API keys would go with it."""
    if settings.STUDIO_ENCRYPTION_KEY_FROM_ENV:
        return []
    return [
        Warning(
            "STUDIO_ENCRYPTION_KEY is not set, so API keys are sealed with a key kept in "
            "STUDIO_VAR_DIR, which a new container does not have.",
            hint="Set STUDIO_ENCRYPTION_KEY (32+ random characters) and keep it safe.",
            id="studio.W001",
        )
    ]
