"""Providers and models from a TOML file: `python manage.py loadproviders FILE`.

Loading is idempotent: a provider is found by `name`, a model by (provider, `name`); what the file
says is written, what it does not mention is left alone (admins may have added more in admin).
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction

from jobs.dialects import DIALECT_NAMES, capabilities_for
from jobs.models import Provider, ProviderModel
from jobs.providers.common import check_poll_path

logger = logging.getLogger(__name__)

_RATE_KEYS = {"max_concurrent", "requests_per_second"}
_PROVIDER_KEYS = {"name", "label", "base_url", "api_key", "enabled", "models", *_RATE_KEYS}
# What a [[providers.models]] table may say; admin's model inline edits the same fields.
MODEL_SETTINGS = (
    "name",
    "label",
    "dialect",
    "poll_path",
    "credits_per_image",
    "limits",
    "enabled",
    *sorted(_RATE_KEYS),
)
_MODEL_KEYS = set(MODEL_SETTINGS)


class CatalogError(ValueError):
    """The file is not a valid providers file; the message says where and why."""


@dataclass(frozen=True)
class LoadSummary:
    providers_created: int = 0
    providers_updated: int = 0
    models_created: int = 0
    models_updated: int = 0

    def __str__(self) -> str:
        return (
            f"providers: {self.providers_created} created, {self.providers_updated} updated; "
            f"models: {self.models_created} created, {self.models_updated} updated"
        )


def load_providers_file(path: str | Path) -> LoadSummary:
    try:
        document = tomllib.loads(Path(path).read_text())
    except OSError as error:
        raise CatalogError(f"cannot read {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{path} is not valid TOML: {error}") from error
    return load_providers(document)


@transaction.atomic
def load_providers(document: dict[str, Any]) -> LoadSummary:
    entries = document.get("providers")
    if not isinstance(entries, list) or not entries:
        raise CatalogError("the file needs at least one [[providers]] table")
    counts = {"pc": 0, "pu": 0, "mc": 0, "mu": 0}
    for position, entry in enumerate(entries, start=1):
        provider, created = _save_provider(entry, f"providers[{position}]")
        counts["pc" if created else "pu"] += 1
        for model_position, model_entry in enumerate(entry.get("models", []), start=1):
            where = f"providers[{position}] ({provider.name}).models[{model_position}]"
            counts["mc" if _save_model(provider, model_entry, where) else "mu"] += 1
    return LoadSummary(counts["pc"], counts["pu"], counts["mc"], counts["mu"])


def _save_provider(entry: dict[str, Any], where: str) -> tuple[Provider, bool]:
    _refuse_unknown_keys(entry, _PROVIDER_KEYS, where)
    name = _required(entry, "name", where)
    base_url = _from_environment(_required(entry, "base_url", where), f"{where}.base_url")
    try:
        validate_slug(name)
        URLValidator(schemes=["http", "https"])(base_url)
    except ValidationError as error:
        raise CatalogError(f"{where}: {' '.join(error.messages)}") from error
    provider = Provider.objects.filter(name=name).first() or Provider(name=name)
    created = provider.pk is None
    provider.base_url = base_url
    provider.label = entry.get("label", provider.label)
    provider.enabled = bool(entry.get("enabled", True))
    if "api_key" in entry:
        provider.set_api_key(str(entry["api_key"]))
    _apply_rate_limits(provider, entry, where)
    provider.save()
    return provider, created


def _save_model(provider: Provider, entry: dict[str, Any], where: str) -> bool:
    _refuse_unknown_keys(entry, _MODEL_KEYS, where)
    name = _required(entry, "name", where)
    dialect = _required(entry, "dialect", where)
    if dialect not in DIALECT_NAMES:
        raise CatalogError(f"{where}: dialect must be one of {', '.join(DIALECT_NAMES)}")
    limits = entry.get("limits", {})
    try:
        capabilities_for(dialect, name, limits or None)
    except ValueError as error:
        raise CatalogError(f"{where}: limits: {error}") from error
    model = ProviderModel.objects.filter(provider=provider, name=name).first()
    created = model is None
    model = model or ProviderModel(provider=provider, name=name)
    model.dialect = dialect
    model.label = entry.get("label", model.label)
    model.poll_path = entry.get("poll_path", model.poll_path)
    try:
        check_poll_path(provider.base_url, model.poll_path)
    except ValueError as error:
        raise CatalogError(f"{where}: poll_path: {error}") from error
    model.credits_per_image = entry.get("credits_per_image", model.credits_per_image)
    model.limits = limits
    model.enabled = bool(entry.get("enabled", True))
    _apply_rate_limits(model, entry, where)
    model.save()
    return created


def _apply_rate_limits(target: Provider | ProviderModel, entry: dict[str, Any], where: str) -> None:
    """`max_concurrent` and `requests_per_second`: whole numbers above 0."""
    for key in _RATE_KEYS & set(entry):
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise CatalogError(f"{where}: '{key}' must be a whole number above 0")
        setattr(target, key, value)


def _from_environment(value: str, where: str) -> str:
    """`env:NAME` is read from the environment now (base URLs); keys stay references."""
    if not value.startswith("env:"):
        return value
    name = value.removeprefix("env:")
    if name not in os.environ:
        raise CatalogError(f"{where}: the environment variable {name} is not set")
    return os.environ[name]


def _required(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: '{key}' is required")
    return value.strip()


def _refuse_unknown_keys(entry: Any, allowed: set[str], where: str) -> None:
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: expected a table")
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {', '.join(unknown)}")


def load_providers_file_after_migrate(**_: Any) -> None:
    """post_migrate hook: load STUDIO_PROVIDERS_FILE when it is set."""
    if settings.STUDIO_PROVIDERS_FILE:
        summary = load_providers_file(settings.STUDIO_PROVIDERS_FILE)
        logger.info("Loaded %s: %s", settings.STUDIO_PROVIDERS_FILE, summary)
