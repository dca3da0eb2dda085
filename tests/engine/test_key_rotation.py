"""Stored API keys have their own encryption key, with fallbacks, and can be re-sealed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from jobs.models import Provider
from jobs.secrets import _fernet_for

pytestmark = pytest.mark.django_db

OLD_KEY = "old-encryption-key-" + "o" * 30
NEW_KEY = "new-encryption-key-" + "n" * 30


def relay_sealed_under(settings, key: str) -> Provider:
    settings.STUDIO_ENCRYPTION_KEY = key
    settings.STUDIO_ENCRYPTION_KEY_FALLBACKS = []
    provider = Provider(name="relay", base_url="https://relay.example")
    provider.set_api_key("sk-relay-secret")
    provider.save()
    return provider


def test_changing_the_secret_key_leaves_stored_keys_readable(settings):
    relay = relay_sealed_under(settings, OLD_KEY)
    settings.SECRET_KEY = "another-secret-key-" + "s" * 40
    assert Provider.objects.get(pk=relay.pk).api_key() == "sk-relay-secret"


def test_a_rotation_from_start_to_end(settings, capsys):
    relay = relay_sealed_under(settings, OLD_KEY)
    other = Provider.objects.create(name="by-env", base_url="https://x.example")
    other.set_api_key("env:STUDIO_KEY_X")
    other.save()

    # 1. The new key seals, the old one still opens.
    settings.STUDIO_ENCRYPTION_KEY = NEW_KEY
    settings.STUDIO_ENCRYPTION_KEY_FALLBACKS = [OLD_KEY]
    assert Provider.objects.get(pk=relay.pk).api_key() == "sk-relay-secret"

    # 2. Re-seal everything under the new key.
    call_command("rotatekeys")
    assert "Re-encrypted 1 provider key(s)" in capsys.readouterr().out
    relay.refresh_from_db()
    assert _fernet_for(NEW_KEY).decrypt(relay.api_key_sealed.encode()) == b"sk-relay-secret"
    assert Provider.objects.get(pk=other.pk).api_key_sealed == "env:STUDIO_KEY_X"

    # 3. The old key is dropped: everything still opens.
    settings.STUDIO_ENCRYPTION_KEY_FALLBACKS = []
    assert Provider.objects.get(pk=relay.pk).api_key() == "sk-relay-secret"


def test_a_key_sealed_before_the_dedicated_key_is_opened_and_resealed(settings, capsys):
    """Keys sealed by older versions were derived from the secret key."""
    relay = Provider.objects.create(name="legacy", base_url="https://relay.example")
    legacy = _fernet_for(settings.SECRET_KEY).encrypt(b"sk-legacy").decode()
    Provider.objects.filter(pk=relay.pk).update(api_key_sealed=legacy)
    assert Provider.objects.get(pk=relay.pk).api_key() == "sk-legacy"
    call_command("rotatekeys")
    settings.SECRET_KEY = "another-secret-key-" + "s" * 40
    assert Provider.objects.get(pk=relay.pk).api_key() == "sk-legacy"


def test_without_the_old_key_nothing_opens_and_rotation_refuses(settings):
    relay = relay_sealed_under(settings, OLD_KEY)
    settings.STUDIO_ENCRYPTION_KEY = NEW_KEY
    with pytest.raises(ImproperlyConfigured, match="STUDIO_ENCRYPTION_KEY_FALLBACKS"):
        Provider.objects.get(pk=relay.pk).api_key()
    with pytest.raises(CommandError, match="relay"):
        call_command("rotatekeys")
    settings.STUDIO_ENCRYPTION_KEY = OLD_KEY
    assert Provider.objects.get(pk=relay.pk).api_key() == "sk-relay-secret"


@pytest.mark.django_db(transaction=True)
def test_a_rotation_through_the_environment_as_an_operator_does_it(settings, redis_url):
    """The command in its own process, configured only by environment variables."""
    import subprocess
    import sys

    from django.conf import settings as django_settings

    from tests.fixtures.services import worker_env

    relay = relay_sealed_under(settings, OLD_KEY)

    def rotatekeys(**env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "rotatekeys"],
            cwd=django_settings.BASE_DIR,
            env=worker_env(redis_url, env),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    refused = rotatekeys(STUDIO_ENCRYPTION_KEY=NEW_KEY)
    assert refused.returncode != 0
    assert "STUDIO_ENCRYPTION_KEY_FALLBACKS" in refused.stderr
    done = rotatekeys(STUDIO_ENCRYPTION_KEY=NEW_KEY, STUDIO_ENCRYPTION_KEY_FALLBACKS=OLD_KEY)
    assert done.returncode == 0, done.stderr
    assert "Re-encrypted 1 provider key(s)" in done.stdout

    settings.STUDIO_ENCRYPTION_KEY = NEW_KEY
    settings.STUDIO_ENCRYPTION_KEY_FALLBACKS = []
    assert Provider.objects.get(pk=relay.pk).api_key() == "sk-relay-secret"
