"""Provider URLs are built, never glued: a poll path (or any path a dialect adds) stays on the
origin of the provider's base URL, and only the key permission changes where a key is sent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from jobs.dialects import get_dialect
from jobs.models import Provider, ProviderModel
from jobs.providers import Endpoint, ProviderError
from jobs.providers.http import provider_url
from jobs.providers_file import CatalogError, load_providers

KEY = "sk-relay-0f9e8d7c6b5a4321"

# Each of these, glued onto "https://api.relay.example" as text, names another host or port.
ESCAPING_PATHS = [
    ".attacker.test/{task_id}",
    "@attacker.test/{task_id}",
    ":8443/{task_id}",
    "//attacker.test/{task_id}",
    "https://attacker.test/{task_id}",
    "\\\\attacker.test/{task_id}",
    "/\\attacker.test/{task_id}",
    "tasks/{task_id}",
    " /tasks/{task_id}",
    "/tasks/{task_id}\r\nHost: attacker.test",
]


@pytest.mark.parametrize("path", ESCAPING_PATHS)
def test_a_path_that_would_leave_the_base_urls_origin_is_refused(path):
    with pytest.raises(ValueError, match="path"):
        provider_url("https://api.relay.example", path)


@pytest.mark.parametrize(
    ("base_url", "path", "url"),
    [
        ("https://api.relay.example", "/v1/tasks/1", "https://api.relay.example/v1/tasks/1"),
        ("https://relay.example/openai/", "/v1/x", "https://relay.example/openai/v1/x"),
        ("http://127.0.0.1:8765", "/t/1?with=urls", "http://127.0.0.1:8765/t/1?with=urls"),
        ("https://relay.example", "/a/@b:c/d", "https://relay.example/a/@b:c/d"),
    ],
)
def test_a_path_is_added_to_the_base_urls_own_path(base_url, path, url):
    assert provider_url(base_url, path) == url


def test_a_poll_that_would_send_the_key_to_another_port_never_leaves(sandbox):
    """Through the sandbox over real HTTP: glued onto `http://127.0.0.1`, the poll path
    `:PORT/...` would be the sandbox's port, and the sandbox would receive the key."""
    port = sandbox.base_url.rsplit(":", 1)[1]
    endpoint = Endpoint(
        base_url="http://127.0.0.1", api_key=KEY, poll_path=f":{port}/api/v1/tasks/{{task_id}}"
    )
    with pytest.raises(ProviderError) as refused:
        get_dialect("dashscope").poll(endpoint, "t-1")
    assert refused.value.permanent
    assert "poll path" in refused.value.message
    assert sandbox.requests() == []


# --- admin ----------------------------------------------------------------------------------


@pytest.fixture
def relay_model(db) -> ProviderModel:
    provider = Provider(name="relay", base_url="https://api.relay.example")
    provider.set_api_key(KEY)
    provider.save()
    other = Provider.objects.create(name="other", base_url="https://other.example")
    assert other.pk
    return ProviderModel.objects.create(
        provider=provider, name="grok-task", dialect="task", poll_path="/v1/tasks/{task_id}"
    )


@pytest.fixture
def staff(make_user):
    def make(*codenames: str):
        person = make_user("pat", is_staff=True)
        person.user_permissions.set(
            Permission.objects.filter(content_type__app_label="jobs", codename__in=codenames)
        )
        return person

    return make


def model_form(model: ProviderModel, **changes) -> dict:
    form = {
        "provider": model.provider_id,
        "name": model.name,
        "label": "",
        "dialect": model.dialect,
        "poll_path": model.poll_path,
        "credits_per_image": "",
        "limits": "{}",
        "enabled": "on",
        "max_concurrent": "",
        "requests_per_second": "",
        "prices-TOTAL_FORMS": "0",
        "prices-INITIAL_FORMS": "0",
    }
    return {**form, **changes}


def change_model(client, person, model: ProviderModel, **changes):
    client.force_login(person)
    return client.post(
        f"/admin/jobs/providermodel/{model.pk}/change/", model_form(model, **changes)
    )


@pytest.mark.parametrize("path", ESCAPING_PATHS[:5])
def test_admin_refuses_a_poll_path_that_leaves_the_provider(client, staff, relay_model, path):
    person = staff("view_providermodel", "change_providermodel", "change_provider_key")
    response = change_model(client, person, relay_model, poll_path=path)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["poll_path"]
    assert "path" in errors[0]
    relay_model.refresh_from_db()
    assert relay_model.poll_path == "/v1/tasks/{task_id}"


def test_admin_with_the_key_permission_may_change_where_the_key_goes(client, staff, relay_model):
    person = staff("view_providermodel", "change_providermodel", "change_provider_key")
    other = Provider.objects.get(name="other")
    response = change_model(
        client, person, relay_model, poll_path="/v2/{task_id}", dialect="dashscope",
        provider=other.pk,
    )  # fmt: skip
    assert response.status_code == 302
    relay_model.refresh_from_db()
    assert (relay_model.poll_path, relay_model.dialect, relay_model.provider) == (
        "/v2/{task_id}",
        "dashscope",
        other,
    )


def test_model_rights_alone_cannot_change_where_the_key_goes(client, staff, relay_model):
    person = staff("view_providermodel", "change_providermodel")
    client.force_login(person)
    page = client.get(f"/admin/jobs/providermodel/{relay_model.pk}/change/").content.decode()
    for field in ("poll_path", "dialect", "provider"):
        assert f'name="{field}"' not in page
    other = Provider.objects.get(name="other")
    response = change_model(
        client, person, relay_model, poll_path="/stolen/{task_id}", dialect="dashscope",
        provider=other.pk, label="Renamed",
    )  # fmt: skip
    assert response.status_code == 302
    relay_model.refresh_from_db()
    assert relay_model.label == "Renamed"  # what does not move the key may still be changed
    assert (relay_model.poll_path, relay_model.dialect, relay_model.provider.name) == (
        "/v1/tasks/{task_id}",
        "task",
        "relay",
    )


def test_model_rights_alone_cannot_add_a_model(client, staff, relay_model):
    person = staff("view_providermodel", "add_providermodel", "change_providermodel")
    client.force_login(person)
    assert client.get("/admin/jobs/providermodel/add/").status_code == 403


def test_provider_rights_alone_cannot_move_the_key_through_the_models_inline(
    client, staff, relay_model
):
    person = staff("view_provider", "change_provider", "view_providermodel", "change_providermodel")
    client.force_login(person)
    provider = relay_model.provider
    page = client.get(f"/admin/jobs/provider/{provider.pk}/change/").content.decode()
    assert 'name="models-0-poll_path"' not in page
    assert 'name="models-0-dialect"' not in page
    form = {
        "name": provider.name,
        "label": "",
        "enabled": "on",
        "models-TOTAL_FORMS": "1",
        "models-INITIAL_FORMS": "1",
        "models-0-id": relay_model.pk,
        "models-0-provider": provider.pk,
        "models-0-name": relay_model.name,
        "models-0-dialect": "dashscope",
        "models-0-poll_path": ".attacker.test/{task_id}",
        "models-0-limits": "{}",
        "models-0-enabled": "on",
    }
    client.post(f"/admin/jobs/provider/{provider.pk}/change/", form)
    relay_model.refresh_from_db()
    assert (relay_model.poll_path, relay_model.dialect) == ("/v1/tasks/{task_id}", "task")


def test_a_providers_toml_with_an_escaping_poll_path_is_refused(db):
    document = {
        "providers": [
            {
                "name": "relay",
                "base_url": "https://api.relay.example",
                "models": [{"name": "m", "dialect": "task", "poll_path": ".attacker.test/{x}"}],
            }
        ]
    }
    with pytest.raises(CatalogError, match="poll_path"):
        load_providers(document)
