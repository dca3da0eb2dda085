"""Which models a token may use: every model only when it was made so (`all_models`), never one
its team may not use, and none when the models it was limited to are gone."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command

from jobs.models import Provider, ProviderModel
from studio.api.errors import ApiError
from studio.api.tokens import create_token, model_for_token
from studio.models import ApiToken, Team
from studio.usable_models import usable_models

pytestmark = pytest.mark.django_db


def token_models(token: ApiToken) -> list[ProviderModel]:
    """What the token's model list (`GET /v1/models`) offers: its team's workspace, its models."""
    return usable_models(token.team, token=token)


@pytest.fixture
def relay(db) -> dict[str, ProviderModel]:
    provider = Provider.objects.create(name="relay", base_url="https://relay.example")
    return {
        name: ProviderModel.objects.create(provider=provider, name=name, dialect="openai")
        for name in ("gpt-image-1", "dall-e-2")
    }


@pytest.fixture
def design(design, relay) -> Team:
    """The world's team, allowed the relay's gpt-image-1 only."""
    design.allowed_models.set([relay["gpt-image-1"]])
    return design


def listed(client, secret: str) -> list[str]:
    response = client.get("/v1/models", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    return [model["id"] for model in response.json()["data"]]


def refused(token: ApiToken, model: str) -> ApiError:
    with pytest.raises(ApiError) as raised:
        model_for_token(token, model)
    assert (raised.value.status, raised.value.code) == (403, "model_not_allowed")
    return raised.value


def test_a_token_made_without_models_may_use_every_model(client, alice, relay):
    token, secret = create_token(alice, name="all")
    assert token.all_models
    assert token_models(token) == [relay["dall-e-2"], relay["gpt-image-1"]]
    assert sorted(listed(client, secret)) == ["dall-e-2", "gpt-image-1"]


def test_a_token_whose_models_were_deleted_may_use_none(client, alice, relay):
    token, secret = create_token(alice, name="one", models=[relay["dall-e-2"]])
    assert not token.all_models
    relay["dall-e-2"].delete()
    token.refresh_from_db()
    assert token_models(token) == []
    assert listed(client, secret) == []
    refused(token, "gpt-image-1")


def test_emptying_the_list_in_admin_leaves_the_token_restricted(admin_client, alice, relay):
    token, _secret = create_token(alice, name="one", models=[relay["dall-e-2"]])
    form = {"name": "one", "rate_limit_per_minute": 60, "credits_cap": "", "expires_at_0": "",
            "expires_at_1": "", "revoked_at_0": "", "revoked_at_1": ""}  # fmt: skip
    response = admin_client.post(f"/admin/studio/apitoken/{token.pk}/change/", form)
    assert response.status_code == 302
    token.refresh_from_db()
    assert not token.all_models and not token.allowed_models.exists()
    assert token_models(token) == []
    refused(token, "dall-e-2")
    # checking "All models" is how an admin opens it to every model again
    admin_client.post(f"/admin/studio/apitoken/{token.pk}/change/", {**form, "all_models": "on"})
    token.refresh_from_db()
    assert token.all_models and len(token_models(token)) == 2


def test_admin_refuses_models_chosen_for_a_token_that_may_use_all(admin_client, alice, relay):
    token, _ = create_token(alice, name="all")
    form = {"name": "all", "rate_limit_per_minute": 60, "credits_cap": "", "expires_at_0": "",
            "expires_at_1": "", "revoked_at_0": "", "revoked_at_1": "", "all_models": "on",
            "allowed_models": [relay["dall-e-2"].pk]}  # fmt: skip
    response = admin_client.post(f"/admin/studio/apitoken/{token.pk}/change/", form)
    assert response.status_code == 200
    assert "Uncheck “All models”" in response.content.decode()
    token.refresh_from_db()
    assert token.all_models and not token.allowed_models.exists()


def test_the_page_and_the_command_make_restricted_tokens_when_models_are_chosen(
    client, alice, relay, capsys
):
    client.force_login(alice)
    client.post("/account/tokens/", {"name": "some", "workspace": "personal",
                                     "models": [relay["dall-e-2"].pk]})  # fmt: skip
    client.post("/account/tokens/", {"name": "every", "workspace": "personal"})
    call_command("apitoken", "create", "--user", "alice", "--name", "cli-some",
                 "--models", "relay/dall-e-2")  # fmt: skip
    call_command("apitoken", "create", "--user", "alice", "--name", "cli-every")
    made = dict(ApiToken.objects.values_list("name", "all_models"))
    assert made == {"some": False, "every": True, "cli-some": False, "cli-every": True}


def test_a_team_tokens_models_are_only_those_the_team_allows(client, alice, relay, design):
    token, secret = create_token(alice, name="team", team=design)
    assert token_models(token) == [relay["gpt-image-1"]]
    assert listed(client, secret) == ["gpt-image-1"]
    assert model_for_token(token, "gpt-image-1") == relay["gpt-image-1"]
    assert "Design" in refused(token, "dall-e-2").message
    limited, limited_secret = create_token(
        alice, name="other", team=design, models=[relay["dall-e-2"]]
    )
    assert token_models(limited) == []
    assert listed(client, limited_secret) == []
    refused(limited, "dall-e-2")


def test_the_migration_keeps_restricted_tokens_restricted(alice, relay):
    restricted, _ = create_token(alice, name="one", models=[relay["dall-e-2"]])
    unrestricted, _ = create_token(alice, name="all")
    ApiToken.objects.update(all_models=True)  # as the field's default left them
    migration = importlib.import_module("studio.migrations.0007_apitoken_all_models")
    migration.restricted_tokens_stay_restricted(apps, None)
    restricted.refresh_from_db()
    unrestricted.refresh_from_db()
    assert (restricted.all_models, unrestricted.all_models) == (False, True)
