"""API keys at rest: either an `env:NAME` reference or a Fernet token, never the key itself."""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENV_PREFIX = "env:"
_UNREADABLE = (
    "the stored API key cannot be decrypted: was STUDIO_ENCRYPTION_KEY changed without keeping "
    "the old one in STUDIO_ENCRYPTION_KEY_FALLBACKS?"
)


def _fernet() -> MultiFernet:
    """Seals with STUDIO_ENCRYPTION_KEY; opens with it, its fallbacks, and (for keys sealed before
    the studio had its own encryption key) the secret keys."""
    materials = [
        settings.STUDIO_ENCRYPTION_KEY,
        *settings.STUDIO_ENCRYPTION_KEY_FALLBACKS,
        settings.SECRET_KEY,
        *getattr(settings, "SECRET_KEY_FALLBACKS", []),
    ]
    return MultiFernet([_fernet_for(material) for material in dict.fromkeys(materials) if material])


def _fernet_for(material: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest()))


def reseal_api_key(stored: str) -> str:
    """`stored` sealed again under the newest encryption key (references stay as they are).

    Raises ImproperlyConfigured when no configured key opens it.
    """
    if not stored or stored.startswith(ENV_PREFIX):
        return stored
    try:
        return _fernet().rotate(stored.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(_UNREADABLE) from error


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
        raise ImproperlyConfigured(_UNREADABLE) from error


def admin_may_reference(value: str) -> bool:
    """Whether a key typed into admin may be this `env:NAME` reference.

    A providers TOML is written by the operator and may name any variable; admin may only name
    variables matching STUDIO_ADMIN_ENV_KEYS, or a provider-rights account could point a key at
    DATABASE_URL or DJANGO_SECRET_KEY and read it back from a provider's error.
    """
    name = value.strip().removeprefix(ENV_PREFIX)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in settings.STUDIO_ADMIN_ENV_KEYS)


def describe_api_key(stored: str) -> str:
    """A safe one-line description for admin pages."""
    if not stored:
        return "no key"
    if stored.startswith(ENV_PREFIX):
        return f"from environment variable {stored.removeprefix(ENV_PREFIX)}"
    return "stored encrypted"
