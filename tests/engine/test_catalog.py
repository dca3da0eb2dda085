"""Providers and models from TOML: idempotent loading, keys never stored or shown in plain text."""

import textwrap

import pytest
from django.core.management import CommandError, call_command

from jobs.models import Provider, ProviderModel

TOML = textwrap.dedent(
    """
    [[providers]]
    name = "relay-a"
    base_url = "https://relay.example"
    api_key = "env:RELAY_A_KEY"
    [[providers.models]]
    name = "grok-3-image"
    dialect = "grok"

    [[providers]]
    name = "openai"
    base_url = "https://api.openai.example"
    api_key = "sk-literal-secret-123"
    [[providers.models]]
    name = "gpt-image-1"
    dialect = "openai"
    label = "GPT Image"
    credits_per_image = 4
    [[providers.models]]
    name = "relay-task"
    dialect = "task"
    poll_path = "/v2/tasks/{task_id}"
    limits = { n_max = 4 }
    """
)


@pytest.fixture
def providers_file(tmp_path):
    path = tmp_path / "providers.toml"
    path.write_text(TOML)
    return path


@pytest.mark.django_db
def test_loading_twice_changes_nothing_the_second_time(providers_file, capsys):
    call_command("loadproviders", str(providers_file))
    call_command("loadproviders", str(providers_file))
    assert Provider.objects.count() == 2
    assert ProviderModel.objects.count() == 3
    assert "0 created, 2 updated" in capsys.readouterr().out
    task = ProviderModel.objects.get(name="relay-task")
    assert task.poll_path == "/v2/tasks/{task_id}"
    assert task.capabilities().n_max == 4
    assert ProviderModel.objects.get(name="gpt-image-1").capabilities().credits_per_image == 4


@pytest.mark.django_db
def test_keys_are_references_or_encrypted_never_plain(providers_file, monkeypatch):
    monkeypatch.setenv("RELAY_A_KEY", "key-from-env")
    call_command("loadproviders", str(providers_file))
    relay, openai = Provider.objects.get(name="relay-a"), Provider.objects.get(name="openai")
    assert relay.api_key_sealed == "env:RELAY_A_KEY"
    assert relay.api_key() == "key-from-env"
    assert "sk-literal-secret-123" not in openai.api_key_sealed
    assert openai.api_key() == "sk-literal-secret-123"


@pytest.mark.django_db
def test_admin_never_shows_a_key(providers_file, admin_client):
    call_command("loadproviders", str(providers_file))
    openai = Provider.objects.get(name="openai")
    for url in ("/admin/jobs/provider/", f"/admin/jobs/provider/{openai.pk}/change/"):
        page = admin_client.get(url).content.decode()
        assert "sk-literal-secret-123" not in page
        assert openai.api_key_sealed not in page
    assert "stored encrypted" in admin_client.get("/admin/jobs/provider/").content.decode()


@pytest.mark.django_db
def test_admin_can_replace_a_key_without_seeing_it(providers_file, admin_client):
    call_command("loadproviders", str(providers_file))
    openai = Provider.objects.get(name="openai")
    response = admin_client.post(
        f"/admin/jobs/provider/{openai.pk}/change/",
        {
            "name": "openai",
            "label": "",
            "base_url": "https://api.openai.example",
            "enabled": "on",
            "api_key": "sk-new-key",
            "models-TOTAL_FORMS": "0",
            "models-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    openai.refresh_from_db()
    assert openai.api_key() == "sk-new-key"
    assert "sk-new-key" not in openai.api_key_sealed


@pytest.mark.django_db
def test_concurrency_and_rate_limits_are_read_for_providers_and_models(tmp_path):
    path = tmp_path / "limits.toml"
    path.write_text(
        "[[providers]]\nname='dashscope'\nbase_url='https://dashscope.example'\n"
        "max_concurrent=2\nrequests_per_second=2\n"
        "[[providers.models]]\nname='wanx-v1'\ndialect='dashscope'\nmax_concurrent=1\n"
    )
    call_command("loadproviders", str(path))
    provider = Provider.objects.get(name="dashscope")
    assert (provider.max_concurrent, provider.requests_per_second) == (2, 2)
    model = provider.models.get()
    assert (model.max_concurrent, model.requests_per_second) == (1, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[providers]]\nname='x'\n", "'base_url' is required"),
        (
            "[[providers]]\nname='x'\nbase_url='https://x.example'\n[[providers.models]]\nname='m'\ndialect='klingon'\n",
            "dialect must be one of",
        ),
        (
            "[[providers]]\nname='x'\nbase_url='https://x.example'\ncolour='red'\n",
            "unknown key(s) colour",
        ),
        ("not = [toml", "not valid TOML"),
        (
            "[[providers]]\nname='x'\nbase_url='https://x.example'\nmax_concurrent=0\n",
            "'max_concurrent' must be a whole number above 0",
        ),
        (
            "[[providers]]\nname='x'\nbase_url='https://x.example'\n[[providers.models]]\n"
            "name='m'\ndialect='openai'\nrequests_per_second=1.5\n",
            "'requests_per_second' must be a whole number above 0",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("loadproviders", str(path))
    assert Provider.objects.count() == 0


@pytest.mark.django_db
def test_the_providers_file_is_loaded_after_migrate_when_configured(providers_file, settings):
    from jobs.providers_file import load_providers_file_after_migrate

    settings.STUDIO_PROVIDERS_FILE = ""
    load_providers_file_after_migrate()
    assert Provider.objects.count() == 0
    settings.STUDIO_PROVIDERS_FILE = str(providers_file)
    load_providers_file_after_migrate()
    assert set(Provider.objects.values_list("name", flat=True)) == {"relay-a", "openai"}


@pytest.mark.django_db
def test_admin_checks_model_limits_against_the_capability_table(providers_file, admin_client):
    call_command("loadproviders", str(providers_file))
    model = ProviderModel.objects.get(name="gpt-image-1")
    url = f"/admin/jobs/providermodel/{model.pk}/change/"
    form = {
        "provider": model.provider_id,
        "name": model.name,
        "label": "",
        "dialect": "openai",
        "poll_path": "",
        "credits_per_image": "",
        "enabled": "on",
    }
    refused = admin_client.post(url, {**form, "limits": '{"colour": "red"}'})
    assert refused.status_code == 200
    assert "colour" in refused.context["adminform"].form.errors["limits"][0]
    accepted = admin_client.post(url, {**form, "limits": '{"n_max": 3}'})
    assert accepted.status_code == 302
    model.refresh_from_db()
    assert model.capabilities().n_max == 3
