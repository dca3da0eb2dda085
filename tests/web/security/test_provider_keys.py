"""Keys in admin: only a dedicated permission changes them, and env:NAME only names allowed
variables; a providers TOML, written by the operator, may still name any variable."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from jobs.models import Provider
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def relay():
    provider = Provider(name="relay", base_url="https://relay.example")
    provider.set_api_key("sk-original-key")
    provider.save()
    return provider


@pytest.fixture
def staff(db):
    """`staff(*codenames)`: the staff persona holding only these jobs permissions."""
    return World().staff_with


def change_provider(client, person, provider: Provider, **fields):
    client.force_login(person)
    form = {
        "name": provider.name,
        "label": "",
        "base_url": provider.base_url,
        "enabled": "on",
        "models-TOTAL_FORMS": "0",
        "models-INITIAL_FORMS": "0",
        **fields,
    }
    return client.post(f"/admin/jobs/provider/{provider.pk}/change/", form)


def test_provider_rights_alone_cannot_change_a_key(client, staff, relay):
    person = staff("view_provider", "change_provider")
    client.force_login(person)
    page = client.get(f"/admin/jobs/provider/{relay.pk}/change/").content.decode()
    assert 'name="api_key"' not in page
    response = change_provider(client, person, relay, api_key="env:DATABASE_URL")
    assert response.status_code == 302
    relay.refresh_from_db()
    assert relay.api_key() == "sk-original-key"


def test_provider_rights_alone_cannot_send_the_key_elsewhere(client, staff, relay):
    person = staff("view_provider", "change_provider")
    change_provider(client, person, relay, base_url="https://attacker.example")
    relay.refresh_from_db()
    assert relay.base_url == "https://relay.example"


@pytest.mark.parametrize(
    "name", ["DATABASE_URL", "DJANGO_SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "STUDIO_KEYRING"]
)
def test_admin_may_not_reference_variables_outside_the_allowlist(client, staff, relay, name):
    person = staff("view_provider", "change_provider", "change_provider_key")
    response = change_provider(client, person, relay, api_key=f"env:{name}")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["api_key"]
    assert "STUDIO_KEY_*" in errors[0]
    relay.refresh_from_db()
    assert relay.api_key() == "sk-original-key"


def test_admin_may_reference_an_allowed_variable_or_type_a_key(client, staff, relay, monkeypatch):
    monkeypatch.setenv("STUDIO_KEY_RELAY", "sk-from-env")
    person = staff("view_provider", "change_provider", "change_provider_key")
    assert change_provider(client, person, relay, api_key="env:STUDIO_KEY_RELAY").status_code == 302
    relay.refresh_from_db()
    assert relay.api_key() == "sk-from-env"
    change_provider(client, person, relay, api_key="sk-typed", base_url="https://relay2.example")
    relay.refresh_from_db()
    assert (relay.api_key(), relay.base_url) == ("sk-typed", "https://relay2.example")


def test_the_allowlist_is_a_setting(client, staff, relay, settings, monkeypatch):
    settings.STUDIO_ADMIN_ENV_KEYS = ["RELAY_*"]
    monkeypatch.setenv("RELAY_KEY", "sk-relay")
    person = staff("view_provider", "change_provider", "change_provider_key")
    assert change_provider(client, person, relay, api_key="env:RELAY_KEY").status_code == 302
    assert change_provider(client, person, relay, api_key="env:STUDIO_KEY_X").status_code == 200


def test_a_providers_toml_may_still_name_any_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL_FOR_TEST", "operator-choice")
    path = tmp_path / "providers.toml"
    path.write_text(
        '[[providers]]\nname = "op"\nbase_url = "https://op.example"\n'
        'api_key = "env:DATABASE_URL_FOR_TEST"\n'
    )
    call_command("loadproviders", str(path))
    assert Provider.objects.get(name="op").api_key() == "operator-choice"
