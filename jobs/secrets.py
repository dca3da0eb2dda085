"""API keys at rest: either an `env:NAME` reference or a Fernet token, never the key itself."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENV_PREFIX = "env:"


def _fernet() -> Fernet:
    material = settings.STUDIO_ENCRYPTION_KEY or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest())
    return Fernet(key)


def seal_api_key(value: str) -> str:
    """What to store for a key typed by an admin or read from TOML."""
    value = value.strip()
    if not value or value.startswith(ENV_PREFIX):
        return value
    return _fernet().encrypt(value.encode()).decode()


def open_api_key(stored: str) -> str:
    """The usable key. Raises ImproperlyConfigured with a message an admin can act on."""
    if not stored:
        return ""
    if stored.startswith(ENV_PREFIX):
        name = stored.removeprefix(ENV_PREFIX)
        value = os.environ.get(name)
        if value is None:
            raise ImproperlyConfigured(f"the environment variable {name} is not set")
        return value
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "the stored API key cannot be decrypted (was the secret key changed?)"
        ) from error


def describe_api_key(stored: str) -> str:
    """A safe one-line description for admin pages."""
    if not stored:
        return "no key"
    if stored.startswith(ENV_PREFIX):
        return f"from environment variable {stored.removeprefix(ENV_PREFIX)}"
    return "stored encrypted"
